"""The legal officer's editor support: `paragraf lsp`, a language server for rule files.

Owns the index of a loaded rulebook by position (`index`: what is at a line and column, where
a name is defined and used), hover texts (`hover`, with conditions in words from
`engine.officer.verbalise` and citations from `legal_refs/`), completion (`completion`), the
boundary-scenario code action (`scenarios`) and the pygls server over stdio (`server`). May
import `lang`, `law`, `report`, `decide`, `rulebook` and `officer`. Entry point: `server.serve`.
"""
