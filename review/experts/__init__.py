"""Expert review (方案论证, guide 四(四)3): the call's panel and rubric, conflict-aware assignment,
blind scoring and the aggregation of scores. `services` changes data, `queries` reads it,
`aggregation` computes with exact Decimals, `views`/`forms`/`urls` are the pages."""
