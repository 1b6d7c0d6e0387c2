-- wrk script: sign in as a demo account, flat out. Each request is a full sign-in (one argon2id
-- verification, a session and an audit row). ORIGIN is the app's address (the CSRF check).
wrk.method = "POST"
wrk.body = "email=nurse%40r0a.nhs.example&password=placement-pilot-2026"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Accept"] = "application/json"
wrk.headers["Origin"] = os.getenv("ORIGIN")
