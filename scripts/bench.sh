#!/usr/bin/env bash
# Benchmarks of termtrail at scale, on a synthetic site (examples/gen-site.rs).
#
#   scripts/bench.sh [full|rebuild|scale|diff|all] [options]
#
#   full     full builds of the same site with termtrail and, converted to a Hugo site
#            (examples/gen-hugo.rs), with Hugo, in alternation: medians of wall time, CPU time
#            (user+sys) and peak memory, and termtrail/Hugo ratios
#   rebuild  no-op rebuild, rebuild after editing one change record, peak memory, and their
#            ratios to a full build
#   scale    how time and memory grow with the number of platforms (--scale 20,200,2000)
#   diff     the diff benchmark (benches/diff.rs)
#   all      full and rebuild (the default)
#
# Options:
#   --platforms N   platforms of the synthetic site (default 200)
#   --versions N    versions per document (default 6)
#   --records N     change records per document (default 5: 2,000 records for 200 platforms)
#   --runs N        timed runs of each measurement (default 5; medians are reported)
#   --fs LIST       where to put the site and the output: shm (/dev/shm), disk, or both
#                   (default both)
#   --disk DIR      the folder used for "disk" (default /var/tmp/termtrail-bench)
#   --scale LIST    platform counts for `scale` (default 20,200,2000)
#   --threads N     RAYON_NUM_THREADS for termtrail and GOMAXPROCS for Hugo (default: all cores)
#
# Needs: cargo, /usr/bin/time (Debian's `time`), and for `full` Hugo (Debian's `hugo`:
# `apt-get install -y hugo`; installed by this script when run as root and it is missing).
# The binaries are built with `cargo build --release` into $CARGO_TARGET_DIR (or target/).
set -euo pipefail

cd "$(dirname "$0")/.."
mode=all
platforms=200
versions=6
records=5
runs=5
fs_list=both
disk=/var/tmp/termtrail-bench
scale=20,200,2000
threads=
while [ $# -gt 0 ]; do
    case "$1" in
        full|rebuild|scale|diff|all) mode=$1 ;;
        --platforms) platforms=$2; shift ;;
        --versions) versions=$2; shift ;;
        --records) records=$2; shift ;;
        --runs) runs=$2; shift ;;
        --fs) fs_list=$2; shift ;;
        --disk) disk=$2; shift ;;
        --scale) scale=$2; shift ;;
        --threads) threads=$2; shift ;;
        -h|--help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
if [ -n "$threads" ]; then
    export RAYON_NUM_THREADS=$threads GOMAXPROCS=$threads
fi

if [ "$mode" = diff ]; then
    exec cargo bench --bench diff
fi

[ -x /usr/bin/time ] || { echo "bench.sh: needs /usr/bin/time (apt-get install -y time)" >&2; exit 1; }
target=${CARGO_TARGET_DIR:-target}
echo "== building (release)"
cargo build --release --quiet --bin termtrail --example gen-site --example gen-hugo --example serve-latency
tt=$target/release/termtrail
gen=$target/release/examples/gen-site
genhugo=$target/release/examples/gen-hugo
latency=$target/release/examples/serve-latency
TIMEFMT="%e %U %S %M"

need_hugo() {
    if ! command -v hugo >/dev/null; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            echo "== installing hugo (apt-get install -y hugo)"
            apt-get install -y -qq hugo >/dev/null || { apt-get update -qq && apt-get install -y -qq hugo >/dev/null; }
        else
            echo "bench.sh: needs hugo: apt-get install -y hugo" >&2
            exit 1
        fi
    fi
}

# timed OUTFILE CMD...: runs CMD under /usr/bin/time, appends "wall cpu maxrss_kb" to OUTFILE.
timed() {
    local out=$1; shift
    local t
    t=$(mktemp)
    if ! /usr/bin/time -f "$TIMEFMT" -o "$t" "$@" >/dev/null 2>"$t.err"; then
        echo "bench.sh: failed: $*" >&2
        cat "$t.err" >&2
        rm -f "$t" "$t.err"
        exit 1
    fi
    awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$t" >>"$out"
    rm -f "$t" "$t.err"
}

# median FILE COLUMN
median() {
    awk -v c="$2" '{ print $c }' "$1" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

base_for() {
    case "$1" in
        shm) echo /dev/shm/termtrail-bench ;;
        disk) echo "$disk" ;;
        *) echo "bench.sh: --fs takes shm, disk or both" >&2; exit 2 ;;
    esac
}

fs_names() {
    case "$fs_list" in
        both) echo shm disk ;;
        *) echo "$fs_list" | tr ',' ' ' ;;
    esac
}

# generate BASE N: the synthetic site of N platforms in BASE/site-N (kept between runs).
generate() {
    local base=$1 n=$2
    local site=$base/site-$n-$versions-$records
    if [ ! -f "$site/.complete" ]; then
        rm -rf "$site"
        mkdir -p "$base"
        "$gen" --platforms "$n" --versions "$versions" --records "$records" "$site" >&2
        touch "$site/.complete"
    fi
    echo "$site"
}

describe_machine() {
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)${threads:+, $threads threads}"
    echo "termtrail: $("$tt" --version)"
}

full() {
    need_hugo
    local fsname=$1 base site hugo_site out hout results
    base=$(base_for "$fsname")
    site=$(generate "$base" "$platforms")
    hugo_site=$site-hugo
    if [ ! -f "$hugo_site/.complete" ]; then
        "$genhugo" "$site" "$hugo_site" >&2
        touch "$hugo_site/.complete"
    fi
    out=$base/out-termtrail
    hout=$base/out-hugo
    results=$(mktemp -d)
    echo
    echo "== full build on $fsname ($base): $platforms platforms × 2 documents × $versions versions, $((platforms * 2 * records)) change records, $(du -sm "$site/content" | cut -f1) MB of content"
    echo "   $(hugo version | cut -d' ' -f1-2); $runs runs each, in alternation, output removed before every run"
    # One untimed run each to warm the page cache.
    rm -rf "$out" "$hout"
    "$tt" build --root "$site" --output "$out" >/dev/null
    hugo --quiet --source "$hugo_site" --destination "$hout" >/dev/null
    for i in $(seq "$runs"); do
        rm -rf "$out" "$hout"
        sync
        timed "$results/tt" "$tt" build --root "$site" --output "$out"
        timed "$results/hugo" hugo --quiet --source "$hugo_site" --destination "$hout"
    done
    local tw tc tm hw hc hm
    tw=$(median "$results/tt" 1); tc=$(median "$results/tt" 2); tm=$(median "$results/tt" 3)
    hw=$(median "$results/hugo" 1); hc=$(median "$results/hugo" 2); hm=$(median "$results/hugo" 3)
    printf "   %-10s %9s %9s %9s %7s\n" "" "wall s" "cpu s" "peak MB" "files"
    printf "   %-10s %9s %9s %9s %7s\n" termtrail "$tw" "$tc" "$(mb "$tm")" "$(find "$out" -type f | wc -l)"
    printf "   %-10s %9s %9s %9s %7s\n" hugo "$hw" "$hc" "$(mb "$hm")" "$(find "$hout" -type f | wc -l)"
    printf "   %-10s %9s %9s %9s\n" "ratio" "$(ratio "$tw" "$hw")" "$(ratio "$tc" "$hc")" "$(ratio "$tm" "$hm")"
    echo "   (ratio = termtrail / Hugo; goals: wall at most 0.25, peak memory below 1)"
    rm -rf "$results" "$hout"
}

# A change record's body gets one more sentence, different every time.
edit_record() {
    local f=$1 n=$2
    printf '\nEdited for benchmark run %s: the analysis gains a sentence.\n' "$n" >>"$f"
}

rebuild() {
    local fsname=$1 base site out results record backup
    base=$(base_for "$fsname")
    site=$(generate "$base" "$platforms")
    out=$base/out-rebuild
    results=$(mktemp -d)
    echo
    echo "== rebuilds on $fsname ($base): $platforms platforms, $runs runs each"
    rm -rf "$out"
    "$tt" build --root "$site" --output "$out" >/dev/null
    for i in $(seq "$runs"); do
        rm -rf "$out"
        timed "$results/full" "$tt" build --root "$site" --output "$out"
    done
    for i in $(seq "$runs"); do
        timed "$results/noop" "$tt" build --root "$site" --output "$out"
    done
    record=$(find "$site/content/platforms" -path '*/changes/*.md' | sort | sed -n 1p)
    backup=$(mktemp)
    cp -p "$record" "$backup"
    local serve_note="under 100 ms in \`serve\`"
    for i in $(seq "$runs"); do
        edit_record "$record" "$i"
        timed "$results/record" "$tt" build --root "$site" --output "$out"
    done
    cp -p "$backup" "$record"
    rm -f "$backup"
    "$tt" build --root "$site" --output "$out" >/dev/null
    local fw fc fm nw nc nm rw rc rm_
    fw=$(median "$results/full" 1); fc=$(median "$results/full" 2); fm=$(median "$results/full" 3)
    nw=$(median "$results/noop" 1); nc=$(median "$results/noop" 2); nm=$(median "$results/noop" 3)
    rw=$(median "$results/record" 1); rc=$(median "$results/record" 2); rm_=$(median "$results/record" 3)
    printf "   %-16s %9s %9s %9s %12s\n" "" "wall s" "cpu s" "peak MB" "wall / full"
    printf "   %-16s %9s %9s %9s %12s\n" "full build" "$fw" "$fc" "$(mb "$fm")" 1
    printf "   %-16s %9s %9s %9s %12s\n" "no-op rebuild" "$nw" "$nc" "$(mb "$nm")" "$(ratio "$nw" "$fw")"
    printf "   %-16s %9s %9s %9s %12s\n" "one record" "$rw" "$rc" "$(mb "$rm_")" "$(ratio "$rw" "$fw")"
    # serve: edit a record on disk, poll its page until the edit is served (on a copy).
    local copy serve_out sw sr
    copy=$base/serve-copy
    rm -rf "$copy"
    cp -r "$site" "$copy"
    # The latency tool copies the site again, into $TMPDIR: keep that on the same file system.
    serve_out=$(TMPDIR="$base" "$latency" --root "$copy" --runs "$((runs * 4))" --bin "$tt" | tail -1)
    rm -rf "$copy"
    sw=$(echo "$serve_out" | sed -n 's/.*median \([0-9.]*\) ms, min.*/\1/p')
    sr=$(echo "$serve_out" | sed -n 's/.*rebuild alone: median \([0-9.]*\) ms.*/\1/p')
    printf "   %-16s %9s %9s %9s %12s\n" "serve: one record" "$(awk -v m="$sw" 'BEGIN { printf "%.3f", m / 1000 }')" "" "" "$(ratio "$(awk -v m="$sw" 'BEGIN { print m / 1000 }')" "$fw")"
    echo "   (serve: edit-to-served median over $((runs * 4)) edits; its rebuild alone: ${sr} ms)"
    echo "   (goals: no-op rebuild at most 0.1 of a full build; one record $serve_note; \"one record\" is a full \`build\` after the edit)"
    rm -rf "$results"
}

scale_table() {
    local fsname=shm base n site out results
    [ "$fs_list" = disk ] && fsname=disk
    base=$(base_for "$fsname")
    echo
    echo "== scale on $fsname: full builds (median of $runs), $versions versions per document, $records records per document"
    printf "   %9s %9s %8s %9s %9s %9s %10s\n" platforms "content" "pages" "wall s" "cpu s" "peak MB" "no-op s"
    for n in $(echo "$scale" | tr ',' ' '); do
        site=$(generate "$base" "$n")
        out=$base/out-scale
        results=$(mktemp -d)
        rm -rf "$out"
        for i in $(seq "$runs"); do
            rm -rf "$out"
            timed "$results/full" "$tt" build --root "$site" --output "$out"
        done
        for i in $(seq "$runs"); do
            timed "$results/noop" "$tt" build --root "$site" --output "$out"
        done
        printf "   %9s %8sM %8s %9s %9s %9s %10s\n" "$n" "$(du -sm "$site/content" | cut -f1)" \
            "$(find "$out" -name '*.html' | wc -l)" "$(median "$results/full" 1)" \
            "$(median "$results/full" 2)" "$(mb "$(median "$results/full" 3)")" "$(median "$results/noop" 1)"
        rm -rf "$results" "$out"
    done
    echo "   swap in use afterwards: $(awk '/SwapTotal/ { t = $2 } /SwapFree/ { f = $2 } END { printf "%d kB", t - f }' /proc/meminfo)"
}

describe_machine
case "$mode" in
    full) for f in $(fs_names); do full "$f"; done ;;
    rebuild) for f in $(fs_names); do rebuild "$f"; done ;;
    scale) scale_table ;;
    all) for f in $(fs_names); do full "$f"; rebuild "$f"; done ;;
esac
