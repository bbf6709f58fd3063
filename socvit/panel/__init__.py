"""The panel as a panel: who answers which waves, who stays, weights that follow the people.

A socvit panel is long format, one row per member per wave; the member id (codebook kind
``id``) persists across waves. Every function here takes a Panel (id and wave columns from
its codebook) or a DataFrame with ``id=`` and ``wave=``, and checks the members first
(:func:`members`): no member twice within a wave, an id that persists, waves that exist and
pairs that overlap, each failure a DataError naming the waves.

- :func:`members`: the checked member id and wave columns and the member x wave presence
  table (``_members``);
- :func:`participation`: the waves each member answered as a pattern (``"XX.X"``) and the
  table of patterns; :func:`retention`: per wave pair the members of the first wave, how
  many answered the second, the retention share with its interval and the refreshment,
  overall or by group with the disclosure rules (``_participation``);
- :func:`attrition`: a survey logit of staying on background and earlier answers (as
  ``svyglm(family = quasibinomial)``) and the stayer/leaver comparison on wave A's
  outcomes (``_attrition``);
- :func:`longitudinal_weights`: weights for the members in waves A and B: wave A's weight
  over the estimated response propensity (or its class), raked to wave B's margins
  (``_weights``).
- :func:`change`: the change of a mean or share between two waves for the members who
  answered both (errors clustered on the member, as ``svycontrast`` in R) beside the
  difference of the two cross-sections, by group with the disclosure rules (``_change``);
- :func:`stability`: test-retest intraclass correlations of scale scores, ICC(2,1)
  agreement and ICC(3,1) consistency (pingouin, as ``psych::ICC``), with the test of equal
  alphas for the same people (``_stability``).

Example
-------
>>> m = sv.panel.members(panel)
>>> m.waves, int(m.pair(2021, 2023).sum())
([2017, 2019, 2021, 2023], 2234)
"""

from ._change import change
from ._attrition import AttritionResult, attrition
from ._members import Members, members
from ._participation import Participation, participation, retention
from ._weights import LongitudinalWeights, longitudinal_weights
from ._stability import StabilityResult, stability

__all__ = ["Members", "members", "Participation", "participation", "retention",
           "AttritionResult", "attrition", "LongitudinalWeights", "longitudinal_weights",
           "change", "stability", "StabilityResult"]
