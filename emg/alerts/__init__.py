"""The hourly Slack alerts: what to post (plan), how it reads (message), how it gets there
(slack), what was posted (ledger), and the run that ties them together (delivery).

Planning and message building are pure functions; only `slack`, `ledger` and `delivery`
touch the network or the warehouse. The Dagster asset and `emg alerts send` are thin shells
over `delivery.deliver`.
"""
