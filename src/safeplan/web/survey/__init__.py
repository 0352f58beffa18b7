"""The children's survey ("voice of the child"): settings with shareable links, questions per
plan, the anonymous public survey, and its results for partners."""
