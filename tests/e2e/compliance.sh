#!/usr/bin/env bash
# compliance.sh — GET /api/compliance (SPEC §11) on hand-made captions: a post carrying an
# accepted label (as a word or a hashtag, any case, English or Hindi on a Hindi post) is
# not flagged; one without, or with the label only inside another word (adorable,
# #adidas), is; flagged posts are counted per influencer and campaign and listed; the
# list is configurable (?labels=); dates, influencer and campaign select posts.
# Prints "N passed, N failed".
source "$(dirname "$0")/lib.sh"
require_binary

DB=$T/asci.db
cd "$T" || exit 1
cat >influencers.csv <<'EOF'
influencer_id,name
INF1,Asha Rao
INF2,Vikram Singh
EOF
cat >posts.csv <<'EOF'
post_id,influencer_id,date,caption,reach,campaign
P1,INF1,2025-06-01,New whey flavour #ad,100,MB_Summer
P2,INF1,2025-06-02,"This is adorable, love it",100,MB_Summer
P3,INF1,2025-06-03,Ad: my morning stack,100,MB_Summer
P4,INF1,2025-06-04,Trying #adidas shoes with #MuscleBlaze,100,MB_Summer
P5,INF2,2025-06-05,Sponsored by HK Vitals,100,HKV_Glow
P6,INF2,2025-06-06,Got this #FreeGift from Gritzo,100,GZ_Kids
P7,INF2,2025-06-07,Thanks for the #collab,100,HKV_Glow
P8,INF2,2025-06-08,नया प्रोटीन विज्ञापन,100,HKV_Glow
P9,INF2,2025-06-09,नया प्रोटीन,100,HKV_Glow
P10,INF2,2025-06-10,,100,HKV_Glow
P11,INF1,2025-07-01,In partnership with MuscleBlaze,100,MB_Summer
P12,INF1,2025-07-02,ad-free living,100,MB_Winter
EOF
check "posts import" "$INFLUDASH" import --quiet --db "sqlite:$DB" influencers.csv posts.csv
if ! serve_start "$DB"; then
    fail "server starts" "$(cat "$T/server.log")"
    finish
fi
get() { curl -sS --max-time 30 -o "$T/body" -w '%{http_code}' "$BASE$1"; }
json() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T/body" "$1"; }

expect_eq "compliance: 200" 200 "$(get /api/compliance)"
expect_eq "12 posts, 11 with a caption, 1 without" "12 11 1" \
    "$(json 'd["posts"], d["checked"], d["without_caption"]' | tr -d '(),')"
expect_eq "flagged: adorable, #adidas, a Hindi post without a label, ad-free" "P2 P4 P9 P12" \
    "$(json '" ".join(p["post_id"] for p in d["flagged_posts"])')"
expect_eq "per influencer (most flagged first)" "INF1:Asha Rao:6:3 INF2:Vikram Singh:5:1" \
    "$(json '" ".join(":".join(str(g[k]) for k in ("influencer_id", "name", "posts", "flagged")) for g in d["by_influencer"])')"
expect_eq "per campaign" "MB_Summer:5:2 HKV_Glow:4:1 MB_Winter:1:1 GZ_Kids:1:0" \
    "$(json '" ".join(":".join(str(g[k]) for k in ("campaign", "posts", "flagged")) for g in d["by_campaign"])')"
expect_eq "the shipped labels are listed" "True" "$(json '"Ad" in d["labels"] and "#collab" in d["labels"]')"

get '/api/compliance?labels=Sponsored,%23collab' >/dev/null
expect_eq "a configured list: only Sponsored and #collab count" "P1 P2 P3 P4 P6 P8 P9 P11 P12" \
    "$(json '" ".join(p["post_id"] for p in d["flagged_posts"])')"
expect_eq "the configured list is shown" "Sponsored,#collab" "$(json '",".join(d["labels"])')"
get '/api/compliance?from=2025-07-01&to=2025-07-31' >/dev/null
expect_eq "a date range selects posts" "2 1" "$(json 'd["posts"], d["flagged"]' | tr -d '(),')"
get '/api/compliance?influencer=INF2&campaign=HKV_Glow' >/dev/null
expect_eq "influencer and campaign select posts" "5 1" "$(json 'd["posts"], d["flagged"]' | tr -d '(),')"
expect_eq "a bad label list: 400" 400 "$(get '/api/compliance?labels=a%2Fb')"
expect_contains "the 400 names labels" "$T/body" "labels"
expect_eq "a bad date: 400" 400 "$(get '/api/compliance?from=2025-13-01')"
serve_stop
finish
