#!/usr/bin/env bash
# import_engine.sh — the engine file `infludash import` leaves beside an SQLite database
# (README "How the analytics are computed"): the import that commits writes DB.engine, and
# it is byte for byte the file a start writes after loading every stored row from the
# database: into a new database (demo data of two seeds, with and without tracking_id),
# from hand-made files with rejected rows skipped, posts without a date, unknown
# influencers, organic rows and payouts the engine leaves out; after an import of appended
# tracking rows or of influencers only into a database whose file is current (the import
# extends it); after a replace-mode import; in a workspace. The next start reads it as it
# is. An import that stored a tracking row twice (a repeated tracking_id) writes none and
# the start loads from the database; an import that fails leaves the file as it was. The
# tests above ask for the file (--engine-file yes); auto, the default, makes it for files of
# 256 MB or more in all (or from a pipe), and after smaller files when the database then
# holds 2M to 5M tracking rows and no file (loaded after the commit); no never.
# Prints "N passed, N failed".
source "$(dirname "$0")/lib.sh"
require_binary

# loaded_file DB FILE OUT : the file a start writes after loading DB from the database (the
# file there removed first), into OUT; the start's log in OUT.log.
loaded_file() {
    local db=$1 file=$2 out=$3 i
    rm -f "$file"
    if ! serve_start "$db"; then
        fail "server starts" "$(cat "$T/server.log")"
        finish
    fi
    for i in $(seq 1 600); do
        grep -q "engine cache written\|next start loads" "$T/server.log" && break
        sleep 0.1
    done
    serve_stop
    cp "$T/server.log" "$out.log"
    cp "$file" "$out" 2>/dev/null || : >"$out"
}

# same_as_load NAME DB : the import's file beside DB is the one a load writes, and a start
# reads it as it is.
same_as_load() {
    local name=$1 db=$2 file=${2#sqlite:}.engine
    if [[ ! -s $file ]]; then
        fail "$name: the import left an engine file" "none at $file; $(last_output)"
        return
    fi
    cp "$file" "$T/import.engine"
    if ! serve_start "$db"; then
        fail "server starts" "$(cat "$T/server.log")"
        finish
    fi
    wait_data || fail "$name: the server loads the data" "$(cat "$T/server.log")"
    serve_stop
    expect_contains "$name: the next start reads the import's file" "$(cat "$T/server.log")" \
        "from the engine cache ("
    loaded_file "$db" "$file" "$T/load.engine"
    check "$name: the import's file is byte for byte the load's" cmp "$T/import.engine" "$T/load.engine"
}

for seed in 1 4; do
    mkdir -p "$T/demo$seed"
    idx demo --csv "$T/demo$seed" --rows 4000 --seed "$seed" || fail "demo --csv" "$(last_output)"
    DB=sqlite:$T/new$seed.db
    idx import --engine-file yes --db "$DB" "$T/demo$seed"/*.csv || fail "an import into a new database" "$(last_output)"
    expect_not_contains "seed $seed: the import says nothing of the engine file" "$(last_output)" "engine file"
    same_as_load "seed $seed, a new database" "$DB"
done

# without tracking_id: ids made on import
cut -d, -f2- "$T/demo1/tracking_data.csv" >"$T/noid.csv"
DB=sqlite:$T/noid.db
idx import --engine-file yes --quiet --db "$DB" "$T/demo1/influencers.csv" "$T/demo1/posts.csv" "$T/noid.csv" \
    "$T/demo1/payouts.csv" || fail "an import without tracking_id" "$(last_output)"
same_as_load "no tracking_id" "$DB"

# hand-made files: rejected rows skipped, rows the engine leaves out or sets apart
mkdir -p "$T/hand"
cat >"$T/hand/influencers.csv" <<'EOF'
influencer_id,name,platform,tier,follower_count,category
INF1,Asha,Instagram,Micro,12000,Fitness
INF2,Ravi,YouTube,Macro,500000,Tech
INF3,Élodie ☃,Instagram,Nano,900,
EOF
cat >"$T/hand/posts.csv" <<'EOF'
post_id,influencer_id,date,campaign,reach,likes
P1,INF1,2025-01-03,Camp A,1000,40
P2,INF2,,Camp B,500,3
P3,INF9,2025-02-01,Camp C,10,1
P4,INF1,not-a-date,Camp A,10,1
EOF
cat >"$T/hand/tracking_data.csv" <<'EOF'
tracking_id,influencer_id,date,brand,product,campaign,source,orders,revenue,campaign_type,is_return
T1,INF1,2025-01-03,MuscleBlaze,Whey,Camp A,ig,1,1000.50,test,
T2,INF2,2025-01-04,MuscleBlaze,,Camp B,yt,2,99.99,control,
T3,,2025-01-04,NewBrand,Bar,,organic,1,5.00,,
T4,INF9,2025-01-05,MuscleBlaze,Whey,Camp A,ig,3,100000000000000,holdout,
T5,INF1,bad-date,MuscleBlaze,Whey,Camp A,ig,1,10,,
T6,INF1,2025-01-03,MuscleBlaze,Whey,Camp A,ig,-5,10,,
T7,INF1,2025-01-03,MuscleBlaze,Whey,Camp A,ig,1,-250.25,,1
T8,INF3,2025-13-40,MuscleBlaze,Whey,Camp A,ig,1,10,,
T9,INF3,2025-01-03,MuscleBlaze,Whey,Camp A,ig,99999999999,10,,
T10,INF1,2025-01-03,MuscleBlaze,Whey,Camp A,ig,1,1000.50,test,
T11,INF9,03/01/2025,muscleblaze,Whey ,Camp A,IG,,0,Holdout,
EOF
cat >"$T/hand/payouts.csv" <<'EOF'
payout_id,influencer_id,campaign,basis,rate,total_payout,payout_date,status
Y1,INF1,Camp A,order,150,,2025-02-01,paid
Y2,INF2,Camp B,flat,5000,5000,2025-02-01,pending
Y3,INF9,Camp C,post,100,,2025-02-01,paid
Y4,INF1,Camp A,order,999999999999999,,2025-02-01,paid
Y5,INF2,Camp B,order,100000000,,2025-02-01,paid
EOF
DB=sqlite:$T/hand.db
idx import --engine-file yes --db "$DB" --skip-invalid "$T/hand"/*.csv
expect_eq "hand-made files: some rows rejected (exit 2)" 2 "$RC"
same_as_load "hand-made files" "$DB"

# appended tracking rows into a database whose file is current: extended by the import
DB=sqlite:$T/new1.db
sed '1!s/^/A-/' "$T/demo4/tracking_data.csv" >"$T/append.csv"
idx import --engine-file yes --quiet --db "$DB" --dataset tracking_data "$T/append.csv" || fail "an append" "$(last_output)"
same_as_load "appended tracking rows" "$DB"
printf 'influencer_id,name,platform,tier,follower_count\nINFNEW,Late,YouTube,Micro,1000\n' >"$T/inf.csv"
idx import --engine-file yes --quiet --db "$DB" "$T/inf.csv" || fail "an influencer import" "$(last_output)"
same_as_load "influencers only" "$DB"

# replace mode: the file made from the rows the import stored
idx import --engine-file yes --quiet --db "$DB" --mode replace --dataset tracking_data "$T/demo4/tracking_data.csv" ||
    fail "a replace" "$(last_output)"
same_as_load "a replace-mode import" "$DB"

# a failed import (a rejected row, strict mode): the file as it was
cp "${DB#sqlite:}.engine" "$T/before.engine"
printf 'tracking_id,date,revenue\nBAD1,2025-01-01,12.00\nBAD2,nope,1\n' >"$T/bad.csv"
idx import --engine-file yes --quiet --db "$DB" --dataset tracking_data "$T/bad.csv"
expect_eq "a rejected row fails the import" 1 "$RC"
check "a failed import leaves the file as it was" cmp "$T/before.engine" "${DB#sqlite:}.engine"

# a tracking_id twice: the second row replaced the first, so the rows fed are not the
# stored ones: no file, the start loads from the database
DB=sqlite:$T/twice.db
{
    cat "$T/demo1/tracking_data.csv"
    sed -n 2p "$T/demo1/tracking_data.csv"
} >"$T/twice.csv"
idx import --engine-file yes --db "$DB" "$T/demo1/influencers.csv" "$T/twice.csv" || fail "an import with a repeated id" "$(last_output)"
expect_contains "a repeated tracking_id: the import says the engine file was not brought up to date" "$(last_output)" \
    "the engine file was not brought up to date"
check "and left none" test ! -e "$T/twice.db.engine"
loaded_file "$DB" "$T/twice.db.engine" "$T/twice.engine"
expect_contains "the start loads from the database" "$(cat "$T/twice.engine.log")" "data loaded in"
expect_not_contains "(not from an engine file)" "$(cat "$T/twice.engine.log")" "from the engine cache"

# a workspace: its own file, read by the start
WSDB=$T/ws.db
idx workspace add acme --db "sqlite:$WSDB" || fail "workspace add" "$(last_output)"
idx import --engine-file yes --quiet --db "sqlite:$WSDB" --workspace acme "$T/demo1"/*.csv || fail "a workspace import" "$(last_output)"
check "a workspace's import leaves its file" test -s "$T/ws-ws-acme.db.engine"
if serve_start "sqlite:$WSDB"; then
    wait_loaded 2 || fail "the server loads both workspaces" "$(cat "$T/server.log")"
    serve_stop
    expect_contains "the start reads the workspace's file" "$(cat "$T/server.log")" \
        "from the engine cache (workspace acme"
else
    fail "server starts" "$(cat "$T/server.log")"
fi

# --engine-file: auto (the default) makes the file for files of 256 MB or more in all, or of
# a size not known (a pipe); no makes none; anything else is refused
idx import --quiet --db "sqlite:$T/auto.db" "$T/demo1"/*.csv || fail "an import (auto)" "$(last_output)"
check "auto: a small import into a new database leaves no engine file" test ! -e "$T/auto.db.engine"
idx import --quiet --engine-file no --db "sqlite:$T/no.db" "$T/demo1/influencers.csv" \
    "$T/demo1/posts.csv" "$T/demo1/payouts.csv" || fail "an import (no)" "$(last_output)"
check "no: the import leaves no engine file" test ! -e "$T/no.db.engine"
idx import --quiet --db "sqlite:$T/no.db" --dataset tracking_data <(cat "$T/demo1/tracking_data.csv") ||
    fail "an import from a pipe" "$(last_output)"
same_as_load "auto: tracking rows from a pipe" "sqlite:$T/no.db"
# auto, files below 256 MB: none for a database of fewer than 2,000,000 tracking rows after
# the import; the import that takes it to 2,000,000 or more (up to 5,000,000) loads it from the
# database after the commit, as a start would, and leaves that file
mkdir -p "$T/big"
idx demo --csv "$T/big" --rows 1100000 --seed 1 || fail "demo --csv (1.1M rows)" "$(last_output)"
BIG=sqlite:$T/big.db
idx import --quiet --db "$BIG" "$T/big"/*.csv || fail "an import of 1.1M rows (auto)" "$(last_output)"
check "auto: 1.1M tracking rows, small files: no engine file" test ! -e "$T/big.db.engine"
sed '1!s/^/B-/' "$T/big/tracking_data.csv" >"$T/big-append.csv"
rm -f "$T/big/tracking_data.csv"
idx import --quiet --db "$BIG" --dataset tracking_data "$T/big-append.csv" ||
    fail "an import appending 1.1M rows (auto)" "$(last_output)"
rm -f "$T/big-append.csv"
same_as_load "auto: the small import that takes the database to 2.2M tracking rows" "$BIG"
idx import --quiet --db "$BIG" "$T/demo1/influencers.csv" || fail "an import after it" "$(last_output)"
check "auto: a later small import leaves the file for the start to extend" test -s "$T/big.db.engine"
rm -f "$T/big.db" "$T/big.db.engine" "$T"/big/*

idx import --engine-file sometimes --db "sqlite:$T/bad.db" "$T/demo1/influencers.csv"
expect_eq "--engine-file sometimes is a usage error" 64 "$RC"
expect_contains "--engine-file sometimes: the error names the choices" "$(last_output)" \
    "--engine-file must be auto, yes or no"
finish
