#!/usr/bin/env bash
# progress.sh — `infludash import` on a terminal (a pseudo-terminal, tests/e2e/pty_screen.py,
# rendered as a terminal would show it): each file's progress bar names the file (its end
# when the name is long), never its folder; it fits the terminal's width, so that redrawing
# it leaves no copies behind (a wrapped line did: the last, largest file's bar showed twice);
# each file's summary line is printed once; without a terminal there is no bar. Needs
# INFLUDASH and python3. Prints "N passed, N failed".
source "$(dirname "$0")/lib.sh"
require_binary

dir="$T/imports/2026/spring-campaigns/data/m"
mkdir -p "$dir"
idx demo --csv "$dir" --rows 60000
expect_eq "demo writes the sample files" 0 "$RC"
long="payouts-exported-by-the-agency-for-april-and-may-2026-final-v2.csv"
cp "$dir/payouts.csv" "$dir/$long"
rm "$dir/payouts.csv"
files=(influencers.csv posts.csv tracking_data.csv "$long")

# screen COLUMNS DB: the screen after importing the files on a terminal COLUMNS wide.
screen() {
    python3 "$E2E_DIR/pty_screen.py" "$1" "$INFLUDASH" import --db "sqlite:$T/$2.db" \
        "${files[@]/#/$dir/}" >"$T/screen$1.txt" 2>"$T/screen$1.err"
    RC=$?
}

for cols in 80 60; do
    screen "$cols" "p$cols"
    expect_eq "$cols columns: the import succeeds" 0 "$RC"
    bars=$(grep -E '\[[#-]+\] +[0-9]+%' "$T/screen$cols.txt")
    expect_eq "$cols columns: one progress bar per file, each drawn once (no copies left behind)" \
        4 "$(grep -c . <<<"$bars")"
    for f in influencers.csv posts.csv tracking_data.csv; do
        expect_eq "$cols columns: the bar names $f" 1 "$(grep -cF "|$f " <<<"$bars")"
    done
    expect_match "$cols columns: a long file name shows its end" "$bars" '^\|\.\.\.[-a-z0-9]*final-v2\.csv '
    expect_not_contains "$cols columns: the bars never show the folder" "$bars" "data/m"
    expect_not_contains "$cols columns: ... nor any part of the path" "$bars" "/"
    too_wide=$(awk -v max=$((cols - 1)) '{ line = substr($0, 2, length($0) - 2) }
        length(line) > max || line !~ / rows$/' <<<"$bars")
    if [[ -z $too_wide ]]; then
        pass "$cols columns: every bar fits on one row and ends with its row count"
    else
        fail "$cols columns: every bar fits on one row" "$too_wide"
    fi
    expect_match "$cols columns: 100 % of tracking_data.csv with its rows" "$bars" \
        '^\|tracking_data\.csv +\[#+\] 100% +60000 rows\|$'
    for ds in influencers posts tracking_data payouts; do
        expect_eq "$cols columns: the $ds summary line is printed once" 1 \
            "$(tr -d '\n' <"$T/screen$cols.txt" | sed 's/|//g' | grep -o "$ds: [0-9]* rows imported" | wc -l)"
    done
    expect_eq "$cols columns: the closing line is printed once" 1 \
        "$(grep -c '^|imported [0-9]* rows from 4 files|$' "$T/screen$cols.txt")"
done

# Without a terminal: no bar, the same summary.
idx import --db "sqlite:$T/pipe.db" "${files[@]/#/$dir/}"
expect_eq "piped: the import succeeds" 0 "$RC"
expect_not_contains "piped: no progress bar" "$ERR" "[#"
expect_contains "piped: the summary" "$OUT" "tracking_data.csv: tracking_data: 60000 rows imported"
finish
