"""The rulebook: the rule and legal-reference files found, loaded, checked and compiled, and
the one object through which cases and payments are evaluated, one at a time or as whole caseloads.

Owns: finding a rulebook's folders (`folders`), the on-disk cache of checked rulebooks
(`cache`), the `Rulebook` facade (`rulebook`), with its fingerprint and the engine version, and
the one gate `check` reports and `eval` requires (`gate`), and whole caseloads: many cases
evaluated in one run, serially, in several processes or on a Dask cluster (`caseload`: a
subpackage that imports the rest of the layer, never the other way, so `import engine` does not
load it; the command line does). May import `lang`, `law`, `report`, `decide` and `refusion`
(the last only when refusion is asked for, so that NumPy and pyarrow stay out of start-up).
Exports `load`, `Rulebook`, `engine_version`, `find_folders` and `choose` (which rulebook a
command uses: `--rules`, `PARAGRAF_RULES`, the current folder, the bundled one).
"""
from engine.rulebook.folders import choose, find_folders
from engine.rulebook.rulebook import Rulebook, engine_version, load

__all__ = ["load", "Rulebook", "engine_version", "find_folders", "choose"]
