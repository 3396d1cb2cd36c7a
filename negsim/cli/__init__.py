"""negsim's commands. Hydra and OmegaConf are imported here and in `hydra_plugins/`, nowhere else.

`run` is `negsim` (a Hydra app: one run or a multirun), `report` is `negsim-report`, `convert` is
`negsim-convert`; `help`, `errors` and `scenario_path` shape what the user sees around them, and
`callback` and `sweep_jobs` are Hydra's side of a sweep; `plain` turns a composed config into
plain Python.
"""
