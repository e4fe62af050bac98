"""Pure graph algorithms over integer-numbered nodes: adjacency lists in, lists and ints out.

One module per concern, as networkx keeps them: `reach` (searches), `bitsets` (sets of
positions as integers), `edges` (parallel links merged), `components` (strongly connected
groups and an order that keeps them together), `signs` (loop parity and signed pushes) and
`evidence` (the weakest-link bottleneck). None knows a model or the engine; the engine
(`toc.engine`) numbers a model's nodes and links and calls these.
"""
