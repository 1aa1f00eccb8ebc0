#!/bin/sh
# wirebook-trace.sh - the sequence diagram of what really happened, drawn
# from the hop events chapter 07's services write to $HOP_LOG.
#
#   scripts/wirebook-trace.sh [-o ORDER_ID] [-s FILE.svg] HOP_LOG
#
# Prints Mermaid text (a sequenceDiagram, as in the source document) for one
# order: ORDER_ID, or the first order that came in over HTTP. With -s it also
# writes a self-contained SVG of the same diagram (no scripts, no fonts or
# files from elsewhere). Each hop event is one JSON line:
#   {"ts_us":...,"who":"order-front","to":"order-core","protocol":"grpc",
#    "trace_id":"...","order_id":"o-a1-1-af3c","what":"Place"}
# Receiver-side events ("received ...") mark when a message arrived; they
# give timings but no arrow of their own.
set -eu

order=""
svg=""
while getopts o:s: opt; do
    case $opt in
    o) order=$OPTARG ;;
    s) svg=$OPTARG ;;
    *)
        echo "usage: $0 [-o ORDER_ID] [-s FILE.svg] HOP_LOG" >&2
        exit 2
        ;;
    esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || {
    echo "usage: $0 [-o ORDER_ID] [-s FILE.svg] HOP_LOG" >&2
    exit 2
}
log=$1
[ -r "$log" ] || {
    echo "wirebook-trace: cannot read $log (set HOP_LOG when you start the services)" >&2
    exit 1
}

# One line per arrow, in time order:
#   TS<TAB>FROM<TAB>TO<TAB>PROTOCOL<TAB>WHAT<TAB>TRACE<TAB>ORDER
arrows=$(awk -v want="$order" '
    function field(line, key,    re, v) {
        re = "\"" key "\":\"[^\"]*\""
        if (match(line, re)) {
            v = substr(line, RSTART + length(key) + 4, RLENGTH - length(key) - 5)
            return v
        }
        return ""
    }
    function number(line, key) {
        if (match(line, "\"" key "\":[0-9]+"))
            return substr(line, RSTART + length(key) + 3, RLENGTH - length(key) - 3)
        return ""
    }
    {
        id = field($0, "order_id")
        if (want == "" && field($0, "who") == "client" && id != "")
            want = id
        if (id == "" || id != want) next
        what = field($0, "what")
        if (what ~ /^received /) next
        printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", number($0, "ts_us"), field($0, "who"), \
            field($0, "to"), field($0, "protocol"), what, field($0, "trace_id"), id
    }' "$log" | sort -n -k1,1)

[ -n "$arrows" ] || {
    echo "wirebook-trace: no hop events${order:+ for order $order} in $log" >&2
    exit 1
}

# Participants in the order of the document's diagram.
printf '%s\n' "$arrows" | awk -F '\t' '
    function name(p) {
        if (p == "client") return "Client"
        if (p == "order-front") return "ServiceA"
        if (p == "order-core") return "ServiceB"
        if (p == "broker") return "MessageBroker"
        return p
    }
    BEGIN {
        print "sequenceDiagram"
        print "    participant Client"
        print "    participant ServiceA as order-front"
        print "    participant ServiceB as order-core"
        print "    participant MessageBroker as broker"
    }
    NR == 1 { t0 = $1; print "    Note over Client,MessageBroker: order " $7 ", trace " ($6 == "" ? "(none)" : $6) }
    {
        printf "    %s->>%s: %s %s (+%.1f ms)\n", name($2), name($3), toupper($4), $5, ($1 - t0) / 1000
    }'

[ -n "$svg" ] || exit 0

printf '%s\n' "$arrows" | awk -F '\t' '
    function col(p) {
        if (p == "client") return 0
        if (p == "order-front") return 1
        if (p == "order-core") return 2
        if (p == "broker") return 3
        return 3
    }
    function esc(s) {
        gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s)
        return s
    }
    { n++; ts[n] = $1; from[n] = $2; to[n] = $3; proto[n] = $4; what[n] = $5; trace = $6 }
    END {
        w = 880; gap = 200; left = 140; top = 70; step = 60
        h = top + 60 + n * step + 40
        split("Client|order-front (A)|order-core (B)|broker", label, "|")
        printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"14\">\n", w, h, w, h
        printf "<title>sequence diagram of order trace %s</title>\n", esc(trace)
        printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
        printf "<defs><marker id=\"head\" markerWidth=\"10\" markerHeight=\"8\" refX=\"10\" refY=\"4\" orient=\"auto\"><path d=\"M0,0 L10,4 L0,8 z\" fill=\"#222\"/></marker></defs>\n"
        printf "<text x=\"20\" y=\"24\" font-size=\"13\" fill=\"#555\">trace %s</text>\n", esc(trace == "" ? "(none)" : trace)
        for (c = 0; c < 4; c++) {
            x = left + c * gap
            printf "<rect x=\"%d\" y=\"%d\" width=\"150\" height=\"34\" rx=\"4\" fill=\"#eaf0fb\" stroke=\"#36c\"/>\n", x - 75, top - 30
            printf "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x, top - 8, label[c + 1]
            printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\" stroke-dasharray=\"4 4\"/>\n", x, top + 4, x, h - 20
        }
        for (i = 1; i <= n; i++) {
            y = top + 50 + (i - 1) * step
            x1 = left + col(from[i]) * gap; x2 = left + col(to[i]) * gap
            d = x2 > x1 ? -2 : 2
            printf "<g class=\"arrow\" data-from=\"%s\" data-to=\"%s\" data-protocol=\"%s\">", esc(from[i]), esc(to[i]), esc(proto[i])
            printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#222\" stroke-width=\"1.6\" marker-end=\"url(#head)\"/>", x1, y, x2 + d, y
            printf "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d. %s %s (+%.1f ms)</text></g>\n", (x1 + x2) / 2, y - 8, i, toupper(esc(proto[i])), esc(what[i]), (ts[i] - ts[1]) / 1000
        }
        print "</svg>"
    }' >"$svg"
echo "wirebook-trace: wrote $svg" >&2
