"""Analysis as pure functions over arrays and tables: intervals, Pareto frontiers, bargaining
solutions (Nash, Kalai-Smorodinsky, egalitarian, maximum welfare), ZOPA and deal quality."""

from negsim.analysis.bargaining import (
    BargainingAnalysis,
    analyse,
    analyse_tables,
    deal_quality,
    utility_tables,
)
from negsim.analysis.frontier import (
    distance_to_frontier,
    issue_wise_frontier,
    pareto_frontier,
    supported_outcomes,
    thin_frontier,
)
from negsim.analysis.intervals import wilson_interval
from negsim.analysis.outcomes import (
    admissible_outcomes,
    allowed_options,
    enumerate_outcomes,
    is_admissible,
    outcome_count,
    outcome_utilities,
    sample_outcomes,
)
from negsim.analysis.solutions import (
    Solution,
    egalitarian_point,
    kalai_smorodinsky_point,
    local_search,
    max_welfare_point,
    nash_point,
    solve,
)
from negsim.analysis.zopa import Zopa, estimate_zopa, zopa

__all__ = [
    "BargainingAnalysis",
    "Solution",
    "Zopa",
    "admissible_outcomes",
    "allowed_options",
    "analyse",
    "analyse_tables",
    "deal_quality",
    "distance_to_frontier",
    "egalitarian_point",
    "enumerate_outcomes",
    "estimate_zopa",
    "is_admissible",
    "issue_wise_frontier",
    "kalai_smorodinsky_point",
    "local_search",
    "max_welfare_point",
    "nash_point",
    "outcome_count",
    "outcome_utilities",
    "pareto_frontier",
    "sample_outcomes",
    "solve",
    "supported_outcomes",
    "thin_frontier",
    "utility_tables",
    "wilson_interval",
    "zopa",
]
