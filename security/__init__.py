"""Authentication and its policy (GB/T 22239-2019 level 3, 身份鉴别): sign-in with a second factor,
password rules and history, session time-outs and one live session per account, the login lockout,
and the 安全管理员's tools. Every authentication event is written to the audit trail."""
