#!/usr/bin/env bash
# platforms.sh — the platforms a row may name are a list (SPEC §1's six and Threads by
# default) that `import --platforms` and `serve --platforms` replace: a platform outside
# the list is a row error naming the known ones, one inside it is stored as the list
# spells it, and a bad list is refused before anything is read.
source "$(dirname "$0")/lib.sh"
require_binary
cd "$T" || exit 1

printf 'post_id,influencer_id,platform,date,reach,likes\nP1,INF1,Myspace,2025-06-01,1000,10\nP2,INF1,instagram,2025-06-02,2000,20\n' >posts.csv
DB=$(db_url plat)

# the default list: Myspace is refused, and nothing of the file is stored
expect_fail "(a) a platform outside the default list is refused" 1 \
    "$INFLUDASH" import --db "$DB" --dataset posts posts.csv
expect_contains "(a) naming line 2, the column and the known platforms" "$ERR" \
    "not a known platform (known: Instagram, YouTube, Twitter, Facebook, TikTok, LinkedIn, Threads)"
expect_eq "(a) no post stored" 0 "$(sql "$DB" 'SELECT COUNT(*) FROM posts')"

# --platforms: the list's own spelling is what a row stores
check "(b) import --platforms 'Instagram, MySpace' takes the file" \
    "$INFLUDASH" import --db "$DB" --dataset posts --platforms 'Instagram, MySpace' posts.csv
expect_eq "(b) both posts, stored as the list spells them" "Instagram MySpace" \
    "$(sql "$DB" 'SELECT platform FROM posts ORDER BY platform' | tr '\n' ' ' | sed 's/ $//')"
expect_fail "(b) a list without Instagram refuses the instagram row" 1 \
    "$INFLUDASH" import --db "$DB" --dataset posts --platforms 'Myspace' posts.csv
expect_contains "(b) … naming the list" "$ERR" "not a known platform (known: Myspace)"

# a bad list is a usage error
expect_fail "(c) an empty entry is a usage error" 64 \
    "$INFLUDASH" import --db "$DB" --platforms 'Instagram,,X' posts.csv
expect_contains "(c) … saying so" "$ERR" "--platforms: an empty platform"
expect_fail "(c) serve refuses it too" 64 "$INFLUDASH" serve --db "$DB" --platforms ' '

# serve --platforms: uploads follow the server's list
DB2=$(db_url plat2)
if serve_start "$DB2" --platforms 'Instagram,Myspace'; then
    code=$(curl -s -o up.json -w '%{http_code}' --data-binary @posts.csv \
        "$BASE/api/import/posts?filename=posts.csv")
    expect_eq "(d) an upload with Myspace is taken by serve --platforms" 200 "$code"
    expect_eq "(d) two posts stored" 2 "$(sql "$DB2" 'SELECT COUNT(*) FROM posts')"
    kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null
else
    fail "(d) serve --platforms starts" "$(tail -5 "$T/server.log")"
fi
DB3=$(db_url plat3)
if serve_start "$DB3"; then
    code=$(curl -s -o up.json -w '%{http_code}' --data-binary @posts.csv \
        "$BASE/api/import/posts?filename=posts.csv")
    expect_eq "(d) … and refused (422) by a server with the default list" 422 "$code"
    kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null
else
    fail "(d) serve starts" "$(tail -5 "$T/server.log")"
fi
finish
