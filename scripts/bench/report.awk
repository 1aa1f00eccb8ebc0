# report.awk - turns the rows of scripts/bench.sh into the table it prints
# and a self-contained HTML page (inline SVG bars, no external assets).
#
#   awk -f report.awk -v html=OUT.html -v when=DATE -v machine=TEXT rows.txt
#
# Input lines: "row|GROUP|WHO|PROGRAM|VALUE|UNIT|GOAL" (see bench.sh) and
# "note|TEXT". Groups keep the order of their first row. A group may have one
# side only (see alone() below).
BEGIN { FS = "|" }

$1 == "note" { notes[++nnotes] = $2; next }

$1 == "row" {
    g = $2
    if (!(g in seen)) { seen[g] = 1; order[++ngroups] = g }
    who = $3
    prog[g, who] = $4
    value[g, who] = $5
    unit[g] = $6
    if ($7 != "" && $7 != "-") goal[g] = $7
}

function lower_is_better(u) { return u == "KiB" || u == "us" || u == "ms" || u == "s" || u == "CPU-s" }

function has(g, who) { return ((g, who) in value) && value[g, who] != "" && value[g, who] + 0 > 0 }

# How many times better ours is than the peer; 0 when a side is missing.
function ratio(g) {
    if (!has(g, "ours") || !has(g, "peer")) return 0
    if (lower_is_better(unit[g])) return value[g, "peer"] / value[g, "ours"]
    return value[g, "ours"] / value[g, "peer"]
}

# A group with one side only (a broker's start-up time, its memory) is a
# figure alone: no ratio, no "ours:"/"peer:" label, one bar.
function alone(g) { return !((g, "ours") in prog) || !((g, "peer") in prog) }

function ratio_text(g, r) { return alone(g) ? "no peer" : r ? sprintf("ratio %.2f", r) : "no ratio" }

function verdict(g, r) {
    if (!(g in goal)) return ""
    if (r == 0) return "goal >= " goal[g] ": not measured"
    return "goal >= " goal[g] ": " (r >= goal[g] ? "met" : "MISSED")
}

function shown(g, who) { return has(g, who) ? sprintf(value[g, who] < 100 && value[g, who] != int(value[g, who]) ? "%.1f %s" : "%.0f %s", value[g, who], unit[g]) : "(no figure)" }

function esc(s) {
    gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); gsub(/"/, "\\&quot;", s)
    return s
}

function bar(y, who, g, top,    w, label) {
    w = has(g, who) ? int(300 * value[g, who] / top) : 0
    label = (alone(g) ? "" : who == "ours" ? "ours: " : "peer: ") prog[g, who]
    printf "<text x=\"0\" y=\"%d\" font-size=\"12\">%s</text>\n", y + 13, esc(label) > html
    printf "<rect x=\"340\" y=\"%d\" width=\"%d\" height=\"18\" fill=\"%s\"/>\n", y, w,
        who == "ours" ? "#2f6db5" : "#9a9a9a" > html
    printf "<text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>\n", 346 + w, y + 13, esc(shown(g, who)) > html
}

END {
    printf "\n%-52s %s\n", "pair (ratio: times better than the peer)", "figures"
    for (i = 1; i <= ngroups; i++) {
        g = order[i]
        r = ratio(g)
        v = verdict(g, r)
        printf "\n%-52s %s%s\n", g, ratio_text(g, r), v == "" ? "" : "  " v
        for (k = 1; k <= 2; k++) {
            who = k == 1 ? "ours" : "peer"
            if ((g, who) in prog) printf "  %-4s %-46s %s\n", alone(g) ? "" : who, prog[g, who], shown(g, who)
        }
    }
    for (i = 1; i <= nnotes; i++) printf "\n%s\n", notes[i]

    print "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">" > html
    print "<title>wirebook: reference programs beside their peers</title>" > html
    print "<style>body{font-family:sans-serif;margin:2em;max-width:60em}h2{font-size:1em;margin:1.5em 0 .3em}" \
        ".met{color:#1a7f37}.missed{color:#b42318}</style></head><body>" > html
    print "<h1>Reference programs beside their peers</h1>" > html
    printf "<p>%s, %s. Ratio: how many times better ours is (fewer KiB or us count as better). " \
        "Absolute figures move from machine to machine; compare ratios.</p>\n", esc(when), esc(machine) > html
    for (i = 1; i <= ngroups; i++) {
        g = order[i]
        r = ratio(g)
        v = verdict(g, r)
        printf "<h2>%s%s: %s <span class=\"%s\">%s</span></h2>\n", esc(g), lower_is_better(unit[g]) ? " (less is better)" : "", ratio_text(g, r),
            v ~ /met$/ ? "met" : "missed", esc(v) > html
        top = 1
        if (has(g, "ours") && value[g, "ours"] + 0 > top) top = value[g, "ours"] + 0
        if (has(g, "peer") && value[g, "peer"] + 0 > top) top = value[g, "peer"] + 0
        printf "<svg width=\"760\" height=\"%d\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">\n",
            alone(g) ? 24 : 48 > html
        y = 2
        for (k = 1; k <= 2; k++) {
            who = k == 1 ? "ours" : "peer"
            if (!alone(g) || (g, who) in prog) { bar(y, who, g, top); y += 24 }
        }
        print "</svg>" > html
    }
    for (i = 1; i <= nnotes; i++) printf "<p><em>%s</em></p>\n", esc(notes[i]) > html
    print "</body></html>" > html
    close(html)
}
