#!/usr/bin/env bash
# auth.sh — accounts, roles and workspaces over HTTP (docs/accounts.md, SPEC §7), against
# the real server on SQLite (or PostgreSQL with INFLUDASH_TEST_BACKEND=pg):
# open until the first user exists; 401 / redirect without a session; the cookie's flags;
# each role against each kind of action (read, export, import, delete, sample data, users);
# CSRF and cross-origin refusals; throttled sign-ins (429); sessions that expire, end at
# sign-out, at a password change and when the user is removed; a role change that takes
# effect at once; the audit log (JSON, CSV, CLI); no password or hash in any answer or log;
# and one workspace's data never in another's answers.
source "$(dirname "$0")/lib.sh"
require_binary
umask 022 # the usual one: the database files must still be made 0600

DB=$(db_url auth)
ADMIN_PW='admin-pw-Zx81'
ANALYST_PW='analyst-pw-Qm42'
VIEWER_PW='viewer-pw-Lk97'
OUTSIDER_PW='outsider-pw-Rt55'
VICTIM_PW='victim-pw-Hj33'
ACMEADM_PW='acmeadm-pw-Wq28'
ALL_PW=("$ADMIN_PW" "$ANALYST_PW" "$VIEWER_PW" "$OUTSIDER_PW" "$VICTIM_PW" "$ACMEADM_PW"
    'newpass-Yy12' 'takeover-pw-Zz99')
ANSWERS=$T/answers # every body the server sends is kept here, to look for secrets
mkdir -p "$ANSWERS"

# http METHOD PATH [CURL ARGS...] : prints the status; the body goes to $T/body and, with
# the headers, is kept under $ANSWERS.
http() {
    local method=$1 path=$2
    shift 2
    curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' -X "$method" "$@" "$BASE$path"
    # (often run in a $(...) subshell: a file of its own, not a counter)
    cat "$T/headers" "$T/body" >"$(mktemp "$ANSWERS/answer.XXXXXX")" 2>/dev/null
}
# json FIELD : a top-level field of $T/body
json() {
    python3 -c 'import json,sys
v=json.load(open(sys.argv[1])).get(sys.argv[2])
print("" if v is None else (json.dumps(v) if isinstance(v,(dict,list)) else v))' "$T/body" "$1"
}
# login NAME PASSWORD JAR : signs in (form post), prints the status
login() {
    http POST /login -c "$3" -d "username=$1" --data-urlencode "password=$2"
}
# token JAR : the session's CSRF token
token() {
    http GET /api/session -b "$1" >/dev/null
    json csrf
}
add_user() { # NAME ROLE WORKSPACES PASSWORD
    LAST_CMD="$INFLUDASH user add $1 --role $2 --workspace $3 (password on stdin)"
    printf '%s\n' "$4" | "$INFLUDASH" user add "$1" --role "$2" --workspace "$3" --db "$DB" \
        >"$OUT" 2>"$ERR"
    RC=$?
    ((RC == 0)) || fail "user add $1" "$(last_output)"
}

# ---- data: two workspaces, each with a marker influencer the other must never show ----
idx demo --db "$DB" --rows 3000 --seed 11 || fail "demo data in default" "$(last_output)"
idx workspace add acme --db "$DB" --title 'Acme Foods' || fail "workspace add" "$(last_output)"
idx demo --db "$DB" --workspace acme --rows 2000 --seed 12 || fail "demo data in acme" "$(last_output)"
printf 'influencer_id,name,category,gender,follower_count,platform\n' >"$T/h.csv"
{ cat "$T/h.csv"; printf 'MARK_D,DefaultOnlyMarker,Fitness,Female,1000,Instagram\n'; } >"$T/inf_default.csv"
{ cat "$T/h.csv"; printf 'MARK_A,AcmeOnlyMarker,Fitness,Male,2000,YouTube\n'; } >"$T/inf_acme.csv"
idx import --db "$DB" --dataset influencers "$T/inf_default.csv" -q || fail "marker in default" "$(last_output)"
idx import --db "$DB" --workspace acme --dataset influencers "$T/inf_acme.csv" -q ||
    fail "marker in acme" "$(last_output)"
expect_fail "a data command refuses an unknown workspace" 1 "$INFLUDASH" status --db "$DB" --workspace nope
expect_contains "and says which" "$ERR" 'no workspace named "nope"'

if ! serve_start "$DB"; then
    fail "server starts" "$(cat "$T/server.log")"
    finish
fi
wait_loaded 2 || fail "both workspaces load" "$(cat "$T/server.log")"

# ---- the database files are private (SQLite: the data, the accounts, a workspace, with
# their -wal and -shm files while the server has them open) ----
if [[ $BACKEND == sqlite ]]; then
    printf 'early-pw-Xx11\n' | "$INFLUDASH" user add early --role viewer --db "$DB" >"$OUT" 2>"$ERR" ||
        fail "user add early" "$(last_output)"
    "$INFLUDASH" user del early --db "$DB" >"$OUT" 2>"$ERR" || fail "user del early" "$(last_output)"
    sleep 1.2 # (open again: the server looks at the accounts at most once a second)
    curl -s -o /dev/null "$BASE/api/session" # the accounts are opened by the server now
    modes=""
    for f in "$T"/auth.db "$T"/auth.db-wal "$T"/auth.db-shm "$T"/auth-accounts.db \
        "$T"/auth-accounts.db-wal "$T"/auth-accounts.db-shm "$T"/auth-ws-acme.db \
        "$T"/auth-ws-acme.db-wal "$T"/auth-ws-acme.db-shm; do
        modes+="$(basename "$f"):$(stat -c %a "$f" 2>&1) "
    done
    expect_eq "database files are created 0600 (umask 022)" \
        "auth.db:600 auth.db-wal:600 auth.db-shm:600 auth-accounts.db:600 auth-accounts.db-wal:600 auth-accounts.db-shm:600 auth-ws-acme.db:600 auth-ws-acme.db-wal:600 auth-ws-acme.db-shm:600 " \
        "$modes"
fi

# ---- open mode ----
expect_eq "open: no session needed while no user exists" 200 "$(http GET /api/dashboard)"
http GET /api/session >/dev/null
expect_eq "open: /api/session says open" True "$(json open)"
expect_contains "open: the server log says it is open" "$T/server.log" "open to anyone"

add_user admin admin default,acme "$ADMIN_PW"
add_user analyst analyst default "$ANALYST_PW"
add_user viewer viewer default "$VIEWER_PW"
add_user outsider viewer acme "$OUTSIDER_PW"
add_user victim viewer default "$VICTIM_PW"
add_user acmeadm admin acme "$ACMEADM_PW"
idx user list --db "$DB"
expect_contains "user list shows the roles" "$OUT" "analyst"
cp "$OUT" "$ANSWERS/user-list"
sleep 1.2 # the server looks at the accounts at most once a second

# ---- signed out ----
for p in /api/dashboard /api/influencers /api/export.csv /api/datasets/influencers.csv \
    /api/audit /api/users /api/status /api/options; do
    expect_eq "signed out: GET $p is 401" 401 "$(http GET "$p")"
done
expect_eq "signed out: an upload is 401" 401 "$(http POST /api/import/influencers --data-binary @"$T/inf_default.csv")"
expect_eq "signed out: a delete is 401" 401 "$(http DELETE /api/datasets/payouts)"
code=$(http GET /influencers)
expect_eq "signed out: a page redirects" 303 "$code"
expect_contains "to the sign-in page, with where to come back" "$T/headers" "Location: /login?next=/influencers"
expect_eq "signed out: /login is a page" 200 "$(http GET /login)"
expect_contains "with a username and a password field" "$T/body" 'name="password"'
expect_eq "signed out: /healthz answers" 200 "$(http GET /healthz)"
expect_eq "signed out: the assets load" 200 "$(http GET /assets/main.js)"

# ---- signing in ----
expect_eq "a wrong password is 401" 401 "$(login admin wrong-password "$T/bad.jar")"
expect_contains "and says so" "$T/body" "Wrong user name or password"
expect_eq "an unknown user is 401 too" 401 "$(login nobody "$ADMIN_PW" "$T/bad.jar")"
expect_eq "a malformed form is 400" 400 "$(http POST /login -d 'username=%ZZ&password=%')"
expect_eq "a NUL byte in a field is 400" 400 "$(http POST /login -d 'username=admin%00x&password=%00')"
long=$(head -c 5000 /dev/zero | tr '\0' a)
expect_eq "a 5000-byte password is 400" 400 "$(http POST /login -d username=admin -d "password=$long")"
expect_eq "a cookie of the wrong shape is no session" 401 "$(http GET /api/dashboard -H 'Cookie: infludash_session=../../etc; x=1')"
expect_eq "a redirect after sign-in stays on this site" "/" \
    "$(http POST /login -d username=nobody -d password=x -d next=//evil.example >/dev/null; grep -o 'name="next" value="[^"]*"' "$T/body" | sed 's/.*value="//; s/"$//')"
code=$(login admin "$ADMIN_PW" "$T/admin.jar")
expect_eq "admin signs in (303)" 303 "$code"
cookie=$(grep -i '^Set-Cookie:' "$T/headers" | tr -d '\r')
expect_contains "the cookie is HttpOnly" "$cookie" "HttpOnly"
expect_contains "the cookie is SameSite=Strict" "$cookie" "SameSite=Strict"
expect_contains "the cookie is for the whole site" "$cookie" "Path=/"
expect_match "the cookie expires" "$cookie" 'Max-Age=[0-9]+'
expect_not_contains "no Secure flag over plain HTTP" "$cookie" "Secure"
http POST /login -H 'X-Forwarded-Proto: https' -c "$T/secure.jar" -d username=admin \
    --data-urlencode "password=$ADMIN_PW" >/dev/null
expect_contains "Secure behind an HTTPS proxy" "$(grep -i '^Set-Cookie:' "$T/headers")" "Secure"
code=$(http POST /login -H 'Accept: application/json' -c "$T/json.jar" -d username=admin \
    --data-urlencode "password=$ADMIN_PW")
expect_eq "JSON sign-in" 200 "$code"
expect_eq "JSON sign-in names the role" admin "$(json role)"
login analyst "$ANALYST_PW" "$T/analyst.jar" >/dev/null
login viewer "$VIEWER_PW" "$T/viewer.jar" >/dev/null
login outsider "$OUTSIDER_PW" "$T/outsider.jar" >/dev/null
http GET /api/session -b "$T/viewer.jar" >/dev/null
expect_eq "the session names the user" '{"name": "viewer", "role": "viewer"}' "$(json user)"
expect_eq "a viewer may not import" False "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["can"]["import"])' "$T/body")"
ADMIN_T=$(token "$T/admin.jar")
ANALYST_T=$(token "$T/analyst.jar")
VIEWER_T=$(token "$T/viewer.jar")
expect_match "a CSRF token per session" "$ADMIN_T" '^[0-9a-f]{64}$'
http GET / -b "$T/admin.jar" >/dev/null
expect_contains "the page carries the session's CSRF token" "$T/body" "<meta name=\"csrf-token\" content=\"$ADMIN_T\">"
expect_contains "and is never cached" "$T/headers" "Cache-Control: no-store"

# ---- each role against each kind of action ----
printf 'influencer_id,name,category,gender,follower_count,platform\nNEW_1,Role Test,Fitness,Female,500,Instagram\n' >"$T/one.csv"
act() { # ROLE JAR TOKEN ACTION → status
    local jar=$2 tok=$3
    case $4 in
    read) http GET /api/dashboard -b "$jar" ;;
    page) http GET /payouts -b "$jar" ;;
    export) http GET /api/export.csv -b "$jar" ;;
    dataset) http GET /api/datasets/influencers.csv -b "$jar" ;;
    audit) http GET /api/audit -b "$jar" ;;
    import) http POST /api/import/influencers -b "$jar" -H "X-CSRF-Token: $tok" --data-binary @"$T/one.csv" ;;
    replace) http POST '/api/import/influencers?mode=replace' -b "$jar" -H "X-CSRF-Token: $tok" --data-binary @"$T/h.csv" ;;
    replaceall) http POST '/api/import?mode=replace&filename=influencers.csv' -b "$jar" -H "X-CSRF-Token: $tok" --data-binary @"$T/h.csv" ;;
    delete) http DELETE /api/datasets/posts -b "$jar" -H "X-CSRF-Token: $tok" ;;
    demo) http POST '/api/demo?rows=500' -b "$jar" -H "X-CSRF-Token: $tok" ;;
    users) http GET /api/users -b "$jar" ;;
    adduser) http POST /api/users -b "$jar" -H "X-CSRF-Token: $tok" -d name=made_by_api -d role=viewer \
        --data-urlencode "password=newpass-Yy12" ;;
    esac
}
before=$(counts "$DB")
http GET /api/status -b "$T/admin.jar" >/dev/null # (its counts, kept until a commit)
# (replace: a header-only file that would empty the influencers; replaceall: the same
# through the route that recognises the dataset)
#             read page export dataset audit import replace replaceall delete demo users adduser
expect_row() { # ROLE JAR TOKEN EXPECTED...
    local role=$1 jar=$2 tok=$3 a got
    shift 3
    for a in read page export dataset audit import replace replaceall delete demo users adduser; do
        got=$(act "$role" "$jar" "$tok" "$a")
        expect_eq "$role: $a" "$1" "$got"
        shift
    done
}
expect_row viewer "$T/viewer.jar" "$VIEWER_T" 200 200 200 200 200 403 403 403 403 403 403 403
after_viewer=$(counts "$DB")
expect_eq "the viewer changed nothing" "$before" "$after_viewer"
expect_row analyst "$T/analyst.jar" "$ANALYST_T" 200 200 200 200 200 200 403 403 403 403 403 403
read -r inf posts _ <<<"$(counts "$DB")"
read -r inf0 posts0 _ <<<"$before"
http GET /api/status -b "$T/admin.jar" >/dev/null
expect_eq "/api/status counts the upload through the server" "$inf" \
    "$($UTIL status-counts <"$T/body" | cut -d' ' -f1)"
expect_eq "the analyst's import went in" $((inf0 + 1)) "$inf"
expect_eq "the analyst deleted nothing" "$posts0" "$posts"
http DELETE /api/datasets/posts -b "$T/analyst.jar" -H "X-CSRF-Token: $ANALYST_T" >/dev/null
expect_contains "a 403 names the role" "$T/body" "your role (analyst) may not delete"
http POST '/api/import/influencers?mode=replace' -b "$T/analyst.jar" -H "X-CSRF-Token: $ANALYST_T" \
    --data-binary @"$T/h.csv" >/dev/null
expect_contains "an analyst's replace is refused as a deletion" "$T/body" "your role (analyst) may not delete or replace data"
expect_row admin "$T/admin.jar" "$ADMIN_T" 200 200 200 200 200 200 200 200 200 200 200 201
expect_contains "the admin's sample data replaced the data" "$(counts "$DB")" " 500 "
# (which also replaced default's marker: put it back)
idx import --db "$DB" --dataset influencers "$T/inf_default.csv" -q || fail "marker again" "$(last_output)"

# ---- CSRF and cross-origin ----
expect_eq "CSRF: no token is 403" 403 "$(http POST /api/import/influencers -b "$T/admin.jar" --data-binary @"$T/one.csv")"
expect_contains "CSRF: the refusal says why" "$T/body" "CSRF token"
expect_eq "CSRF: another session's token is 403" 403 \
    "$(http POST /api/import/influencers -b "$T/admin.jar" -H "X-CSRF-Token: $ANALYST_T" --data-binary @"$T/one.csv")"
expect_eq "CSRF: a DELETE without a token is 403" 403 "$(http DELETE /api/datasets/payouts -b "$T/admin.jar")"
expect_eq "CSRF: logout without a token is 403" 403 "$(http POST /logout -b "$T/admin.jar")"
expect_eq "cross-origin: refused even with the token" 403 \
    "$(http POST /api/import/influencers -b "$T/admin.jar" -H "X-CSRF-Token: $ADMIN_T" -H 'Origin: http://evil.example' --data-binary @"$T/one.csv")"
expect_eq "cross-origin: a browser's cross-site request is refused" 403 \
    "$(http DELETE /api/datasets/payouts -b "$T/admin.jar" -H "X-CSRF-Token: $ADMIN_T" -H 'Sec-Fetch-Site: cross-site')"
expect_eq "cross-origin: X-Forwarded-Host is not trusted without --trust-proxy" 403 \
    "$(http POST /api/import/influencers -b "$T/admin.jar" -H "X-CSRF-Token: $ADMIN_T" -H 'Origin: http://evil.example' -H 'X-Forwarded-Host: evil.example' --data-binary @"$T/one.csv")"
origin=${BASE#http://}
expect_eq "same origin with the token goes through" 200 \
    "$(http POST /api/import/influencers -b "$T/admin.jar" -H "X-CSRF-Token: $ADMIN_T" -H "Origin: http://$origin" --data-binary @"$T/one.csv")"

# ---- workspaces: isolation ----
names_of() { # the influencer names of the last /api/options answer
    python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
print(" ".join(sorted(str(r.get("name","")) for r in d.get("influencer", []))))' "$T/body"
}
expect_eq "outsider: default is 404" 404 "$(http GET '/api/influencers?ws=default' -b "$T/outsider.jar")"
expect_eq "outsider: without ws, their own workspace" 200 "$(http GET /api/options -b "$T/outsider.jar")"
expect_contains "outsider: sees acme's marker" "$(names_of)" "AcmeOnlyMarker"
expect_not_contains "outsider: never default's marker" "$(names_of)" "DefaultOnlyMarker"
http GET /api/session -b "$T/outsider.jar" >/dev/null
expect_eq "outsider: only acme is listed" '[{"slug": "acme", "title": "Acme Foods"}]' "$(json workspaces)"
expect_eq "outsider: the page of default is 404" 404 "$(http GET '/?ws=default' -b "$T/outsider.jar")"
expect_eq "analyst: acme is 404" 404 "$(http GET '/api/dashboard?ws=acme' -b "$T/analyst.jar")"
expect_eq "analyst: an unknown workspace is 404" 404 "$(http GET '/api/dashboard?ws=nope' -b "$T/analyst.jar")"
http GET '/api/options?ws=acme' -b "$T/admin.jar" >/dev/null
expect_contains "admin in acme: acme's marker" "$(names_of)" "AcmeOnlyMarker"
expect_not_contains "admin in acme: not default's" "$(names_of)" "DefaultOnlyMarker"
http GET '/api/options?ws=default' -b "$T/admin.jar" >/dev/null
expect_contains "admin in default: default's marker" "$(names_of)" "DefaultOnlyMarker"
expect_not_contains "admin in default: not acme's" "$(names_of)" "AcmeOnlyMarker"
http GET '/api/datasets/influencers.csv?ws=acme' -b "$T/admin.jar" >/dev/null
expect_not_contains "acme's dataset download lacks default's rows" "$T/body" "DefaultOnlyMarker"
expect_contains "and has its own" "$T/body" "AcmeOnlyMarker"
http GET '/api/export.csv?ws=acme' -b "$T/admin.jar" >/dev/null
expect_not_contains "acme's report lacks default's influencers" "$T/body" "DefaultOnlyMarker"
default_before=$(counts "$DB")
http POST '/api/import/influencers?ws=acme' -b "$T/admin.jar" -H "X-CSRF-Token: $ADMIN_T" \
    --data-binary @"$T/one.csv" >/dev/null
expect_eq "an import into acme leaves default alone" "$default_before" "$(counts "$DB")"
http GET '/api/audit?ws=acme' -b "$T/admin.jar" >/dev/null
expect_not_contains "acme's audit log has no default import" "$T/body" '"workspace":"default"'
expect_contains "acme's audit log has its import" "$T/body" '"action":"import","workspace":"acme"'
expect_eq "the workspace list is the admin's" '[{"slug": "default", "title": "Default"}, {"slug": "acme", "title": "Acme Foods"}]' \
    "$(http GET /api/workspaces -b "$T/admin.jar" >/dev/null; json workspaces)"

# ---- workspaces over HTTP: add, join, use, remove, add again (empty) ----
status_count() { # the influencers count of the last /api/status answer
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["counts"]["influencers"])' "$T/body"
}
expect_eq "admin adds a workspace over HTTP" 201 \
    "$(http POST /api/workspaces -b "$T/admin.jar" -H "X-CSRF-Token: $ADMIN_T" -d slug=temp -d title=Temporary)"
expect_eq "the admin who made it is its member" 200 "$(http GET '/api/status?ws=temp' -b "$T/admin.jar")"
http GET /api/session -b "$T/analyst.jar" >/dev/null
expect_not_contains "a new workspace is only for its members" "$(json workspaces)" temp
expect_eq "admin joins it" 200 "$(http POST /api/users/admin -b "$T/admin.jar" -H "X-CSRF-Token: $ADMIN_T" -d workspaces=default,acme,temp)"
expect_eq "an import into it" 200 "$(http POST '/api/import/influencers?ws=temp' -b "$T/admin.jar" -H "X-CSRF-Token: $ADMIN_T" --data-binary @"$T/one.csv")"
http GET '/api/status?ws=temp' -b "$T/admin.jar" >/dev/null
expect_eq "its data is its own" 1 "$(status_count)"
expect_eq "an analyst cannot remove a workspace" 403 "$(http DELETE /api/workspaces/temp -b "$T/analyst.jar" -H "X-CSRF-Token: $ANALYST_T")"
expect_eq "admin removes it" 200 "$(http DELETE /api/workspaces/temp -b "$T/admin.jar" -H "X-CSRF-Token: $ADMIN_T")"
expect_eq "then it is gone" 404 "$(http GET '/api/status?ws=temp' -b "$T/admin.jar")"
expect_eq "the default workspace cannot be removed" 400 "$(http DELETE /api/workspaces/default -b "$T/admin.jar" -H "X-CSRF-Token: $ADMIN_T")"
http POST /api/workspaces -b "$T/admin.jar" -H "X-CSRF-Token: $ADMIN_T" -d slug=temp >/dev/null
http POST /api/users/admin -b "$T/admin.jar" -H "X-CSRF-Token: $ADMIN_T" -d workspaces=default,acme,temp >/dev/null
expect_eq "made again under the same name" 200 "$(http GET '/api/status?ws=temp' -b "$T/admin.jar")"
expect_eq "it starts empty" 0 "$(status_count)"

# ---- an admin manages only inside their workspaces (docs/accounts.md, "Who manages what") ----
# acmeadm: admin of acme alone; outsider is acme's viewer, the others reach default
expect_eq "acme's admin signs in" 303 "$(login acmeadm "$ACMEADM_PW" "$T/acmeadm.jar")"
AA_T=$(token "$T/acmeadm.jar")
aa() { http "$1" "$2" -b "$T/acmeadm.jar" -H "X-CSRF-Token: $AA_T" "${@:3}"; } # METHOD PATH ARGS
expect_eq "acme's admin cannot read default" 404 "$(aa GET '/api/dashboard?ws=default')"
aa GET /api/users >/dev/null
expect_eq "acme's admin lists only the users they manage" '["acmeadm", "outsider"]' \
    "$(python3 -c 'import json,sys; print(json.dumps([u["name"] for u in json.load(open(sys.argv[1]))["users"]]))' "$T/body")"
expect_eq "acme's admin cannot reset a default user's password" 404 \
    "$(aa POST /api/users/victim --data-urlencode 'password=takeover-pw-Zz99')"
expect_contains "and is told why" "$T/body" 'no user named \"victim\" that you manage'
expect_eq "nor the password of an admin of more workspaces" 404 \
    "$(aa POST /api/users/admin --data-urlencode 'password=takeover-pw-Zz99')"
expect_eq "nor change their role" 404 "$(aa POST /api/users/viewer -d role=admin)"
expect_eq "nor remove them" 404 "$(aa DELETE /api/users/viewer)"
expect_eq "nor join a workspace of theirs" 404 "$(aa POST /api/users/acmeadm -d workspaces=default,acme)"
expect_eq "nor add a user to one" 404 \
    "$(aa POST /api/users -d name=made_by_acme -d role=viewer -d workspaces=default --data-urlencode 'password=newpass-Yy12')"
expect_eq "nor remove a workspace they are not a member of" 404 "$(aa DELETE /api/workspaces/temp)"
expect_eq "which stays" 200 "$(http GET '/api/status?ws=temp' -b "$T/admin.jar")"
expect_eq "nothing of that reached the sign-ins" 303 "$(login admin "$ADMIN_PW" "$T/admin2.jar")"
expect_eq "acme's admin adds a user to acme" 201 \
    "$(aa POST /api/users -d name=made_by_acme -d role=viewer -d workspaces=acme --data-urlencode 'password=newpass-Yy12')"
expect_eq "changes an acme user's role" 200 "$(aa POST /api/users/made_by_acme -d role=analyst)"
expect_eq "and removes them" 200 "$(aa DELETE /api/users/made_by_acme)"
expect_eq "acme's admin makes a workspace" 201 "$(aa POST /api/workspaces -d slug=acme2)"
expect_eq "is its member" 200 "$(aa GET '/api/status?ws=acme2')"
expect_eq "and removes it" 200 "$(aa DELETE /api/workspaces/acme2)"
# a workspace the server has open, removed by the operator on the command line: no fault
idx workspace del temp --db "$DB" || fail "workspace del temp (command line)" "$(last_output)"
expect_eq "a workspace removed on the command line is gone for the server" 404 \
    "$(http GET '/api/status?ws=temp' -b "$T/admin.jar")"
expect_eq "and the server stays healthy" 200 "$(http GET /healthz)"

# ---- the audit log ----
http GET /api/audit -b "$T/admin.jar" >/dev/null
expect_contains "audit: the analyst's import" "$T/body" '"actor":"analyst","action":"import"'
expect_contains "audit: the admin's delete" "$T/body" '"actor":"admin","action":"delete","workspace":"default","target":"posts"'
expect_contains "audit: the sample data" "$T/body" '"actor":"admin","action":"demo"'
expect_contains "audit: the user added over HTTP" "$T/body" '"actor":"admin","action":"user.add","workspace":"","target":"made_by_api"'
expect_contains "audit: users added on the command line" "$T/body" '"action":"user.add","workspace":"","target":"victim"'
http GET /api/audit -b "$T/viewer.jar" >/dev/null
expect_not_contains "audit: a viewer sees no user changes" "$T/body" '"user.add"'
expect_contains "audit: a viewer sees the imports" "$T/body" '"action":"import"'
code=$(http GET /api/audit.csv -b "$T/admin.jar")
expect_eq "audit: the CSV downloads" 200 "$code"
expect_contains "audit: as an attachment" "$T/headers" 'attachment; filename="infludash-audit-'
expect_eq "audit: CSV header" "at,actor,action,workspace,target,detail" "$(head -1 "$T/body")"
idx audit --db "$DB" --format csv
expect_contains "audit: the CLI lists the same" "$OUT" "made_by_api"

# ---- throttling ----
for i in 1 2 3 4 5; do
    code=$(login victim "wrong-$i" "$T/v.jar")
    ((i < 5)) && [[ $code != 401 ]] && fail "throttle: failure $i is 401" "got $code"
done
expect_eq "throttle: the 5th failure is still 401" 401 "$code"
expect_eq "throttle: the 6th attempt is 429" 429 "$(login victim wrong-6 "$T/v.jar")"
expect_contains "throttle: with Retry-After" "$T/headers" "Retry-After:"
expect_eq "throttle: even the right password waits" 429 "$(login victim "$VICTIM_PW" "$T/v.jar")"
expect_eq "throttle: other users are not held up" 303 "$(login viewer "$VIEWER_PW" "$T/viewer2.jar")"

# ---- sessions end ----
V2_T=$(token "$T/viewer2.jar")
expect_eq "logout" 303 "$(http POST /logout -b "$T/viewer2.jar" -H "X-CSRF-Token: $V2_T")"
expect_contains "logout clears the cookie" "$(grep -i '^Set-Cookie:' "$T/headers")" "Max-Age=0"
expect_eq "after logout the old cookie is refused" 401 "$(http GET /api/dashboard -b "$T/viewer2.jar")"
idx user set analyst --role viewer --db "$DB" || fail "user set" "$(last_output)"
expect_eq "a role change takes effect at once" 403 \
    "$(http POST /api/import/influencers -b "$T/analyst.jar" -H "X-CSRF-Token: $ANALYST_T" --data-binary @"$T/one.csv")"
printf 'newpass-Yy12\n' | "$INFLUDASH" user passwd viewer --db "$DB" >"$OUT" 2>"$ERR" ||
    fail "user passwd" "$(cat "$ERR")"
expect_eq "a password change ends the sessions" 401 "$(http GET /api/dashboard -b "$T/viewer.jar")"
expect_eq "the old password no longer works" 401 "$(login viewer "$VIEWER_PW" "$T/viewer3.jar")"
expect_eq "the new one does" 303 "$(login viewer newpass-Yy12 "$T/viewer3.jar")"
O_T=$(token "$T/outsider.jar")
expect_eq "admin removes a user over HTTP" 200 "$(http DELETE /api/users/outsider -b "$T/admin.jar" -H "X-CSRF-Token: $ADMIN_T")"
expect_eq "their session ends with them" 401 "$(http GET /api/dashboard -b "$T/outsider.jar")"
expect_eq "an admin cannot remove themselves" 400 "$(http DELETE /api/users/admin -b "$T/admin.jar" -H "X-CSRF-Token: $ADMIN_T")"
check "the command line (the operator) removes any user, acme's admin too" "$INFLUDASH" user del acmeadm --db "$DB"
expect_fail "the last admin cannot be removed while others exist" 64 "$INFLUDASH" user del admin --db "$DB"
serve_stop

# ---- expiry ----
if serve_start "$DB" --session-ttl 2; then
    expect_eq "expiry: signed in" 303 "$(login admin "$ADMIN_PW" "$T/short.jar")"
    expect_eq "expiry: the session works" 200 "$(http GET /api/options -b "$T/short.jar")"
    sleep 3
    expect_eq "expiry: after its TTL the session is refused" 401 "$(http GET /api/options -b "$T/short.jar")"
    serve_stop
else
    fail "server starts with --session-ttl" "$(cat "$T/server.log")"
fi

# ---- behind a proxy: the per-address limit counts each client (--trust-proxy) ----
if serve_start "$DB" --trust-proxy; then
    for i in $(seq 1 20); do
        http POST /login -H 'X-Forwarded-For: 198.51.100.7' -d "username=n$i" -d password=wrong >/dev/null
    done
    expect_eq "proxy: the 21st failure from one client is 429" 429 \
        "$(http POST /login -H 'X-Forwarded-For: 198.51.100.7' -d username=n21 -d password=wrong)"
    expect_eq "proxy: another client behind the same proxy is not held up" 303 \
        "$(http POST /login -H 'X-Forwarded-For: 203.0.113.5, 198.51.100.8' -c "$T/p.jar" -d username=admin --data-urlencode "password=$ADMIN_PW")"
    P_T=$(token "$T/p.jar")
    expect_eq "proxy: the Origin may match X-Forwarded-Host (the name the proxy was asked by)" 200 \
        "$(http POST /logout -b "$T/p.jar" -H 'Accept: application/json' -H "X-CSRF-Token: $P_T" -H 'Origin: https://dash.example.com' -H 'X-Forwarded-Host: dash.example.com')"
    serve_stop
else
    fail "server starts with --trust-proxy" "$(cat "$T/server.log")"
fi

# ---- the database fails under a running server: 503, and the answer names no internals
# (database user, host, socket, schema, file, the database's own words); the log has them ----
# no_internals NAME : $T/body carries none of them
no_internals() {
    local bad="" w
    for w in "$T" postgres PGSQL socket infludash_accounts infludash_ws SQLite sqlite '.db'; do
        grep -qF -- "$w" "$T/body" && bad+=" $w"
    done
    expect_eq "$1" "" "$bad"
}
if [[ $BACKEND == pg ]]; then
    # PostgreSQL down: the server reaches it through a relay on a unix socket of our own,
    # killed below (the shared test server itself must stay up)
    pg_host=${DB##*host=}
    pg_host=${pg_host%%&*}
    mkdir -p "$T/pgp"
    python3 - "$T/pgp/.s.PGSQL.5432" "$pg_host/.s.PGSQL.5432" >"$T/pgp.log" 2>&1 <<'PY' &
import socket, sys, threading
srv = socket.socket(socket.AF_UNIX)
srv.bind(sys.argv[1])
srv.listen(64)
def pump(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
while True:
    c, _ = srv.accept()
    u = socket.socket(socket.AF_UNIX)
    u.connect(sys.argv[2])
    threading.Thread(target=pump, args=(c, u), daemon=True).start()
    threading.Thread(target=pump, args=(u, c), daemon=True).start()
PY
    relay=$!
    __e2e_pids+=("$relay")
    for i in $(seq 1 50); do [[ -S $T/pgp/.s.PGSQL.5432 ]] && break; sleep 0.1; done
    if serve_start "${DB/host=$pg_host/host=$T/pgp}"; then
        expect_eq "pg down: signed in through the relay" 303 "$(login admin "$ADMIN_PW" "$T/down.jar")"
        kill -9 "$relay"
        wait "$relay" 2>/dev/null
        expect_eq "pg down: POST /login is 503" 503 "$(login admin "$ADMIN_PW" "$T/down2.jar")"
        no_internals "pg down: the sign-in's 503 names no internals"
        expect_contains "pg down: and says to try again" "$T/body" "try again"
        expect_eq "pg down: a JSON sign-in is 503" 503 "$(http POST /login -H 'Accept: application/json' -d username=admin --data-urlencode "password=$ADMIN_PW")"
        no_internals "pg down: the JSON sign-in's 503 names no internals"
        expect_eq "pg down: a signed-in API call is 503" 503 "$(http GET /api/options -b "$T/down.jar")"
        no_internals "pg down: its 503 names no internals"
        expect_match "pg down: the server log has the details" "$T/server.log" 'POST /login: reading the accounts: .*PostgreSQL'
        serve_stop
    else
        fail "pg down: server starts through the relay" "$(cat "$T/server.log")"
    fi
else
    # the accounts file deleted under the server
    if serve_start "$DB"; then
        expect_eq "accounts gone: signed in first" 303 "$(login admin "$ADMIN_PW" "$T/gone.jar")"
        accounts=${DB#sqlite:}
        accounts=${accounts%.db}-accounts.db
        mv "$accounts" "$accounts.aside"
        expect_eq "accounts gone: POST /login is 503" 503 "$(http POST /login -H 'Accept: application/json' -d username=admin --data-urlencode "password=$ADMIN_PW")"
        expect_contains "accounts gone: it says to restart" "$T/body" "deleted or replaced while the server ran; restart the server"
        no_internals "accounts gone: the 503 names no internals"
        expect_eq "accounts gone: a signed-in call is 503" 503 "$(http GET /api/options -b "$T/gone.jar")"
        sleep 1.2 # (the open-mode check runs at most once a second)
        expect_eq "accounts gone: the server does not become open" 401 "$(http GET /api/options)"
        expect_eq "accounts gone: /healthz is 503" 503 "$(http GET /healthz)"
        expect_contains "accounts gone: the server log names the file" "$T/server.log" "the database file $accounts was deleted"
        mv "$accounts.aside" "$accounts"
        expect_eq "accounts put back: /healthz is 200" 200 "$(http GET /healthz)"
        serve_stop
    else
        fail "server starts (accounts gone)" "$(cat "$T/server.log")"
    fi
fi

# ---- no password or hash anywhere ----
cp "$T/server.log" "$ANSWERS/server.log" 2>/dev/null
idx audit --db "$DB"
cp "$OUT" "$ANSWERS/audit-cli"
leaks=""
for pw in "${ALL_PW[@]}"; do
    grep -rlF -- "$pw" "$ANSWERS" >/dev/null && leaks+=" password:$pw"
done
grep -rlF -- '$argon2' "$ANSWERS" >/dev/null && leaks+=" argon2-hash"
n=$(find "$ANSWERS" -name 'answer.*' | wc -l)
((n > 100)) || fail "every answer was kept for the search" "only $n"
expect_eq "no password or hash in $n answers, the CLI output or the server log" "" "$leaks"
finish
