/*
 * quiz_export.c - write a quiz as Moodle GIFT or as one self-checking,
 * offline HTML page.
 */
#include "quiz.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* ---- GIFT ---------------------------------------------------------------
 * GIFT reserves ~ = # { } : and treats a blank line as the end of a
 * question, so those characters are escaped with a backslash and line
 * breaks are written as "\n". GIFT has no escape for %, which opens an
 * answer weight ("~%100%..." would make a wrong choice right): the questions
 * are [markdown], so % is written as the HTML entity &#37; (its # escaped as
 * GIFT wants: "&\#37;"), which Moodle shows as % and no GIFT parser takes
 * for a weight. */

static int gift_text(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        int rc;
        if (*s == '\n')
            rc = fputs("\\n", out);
        else if (*s == '%')
            rc = fputs("&\\#37;", out);
        else if (strchr("~=#{}:\\", *s))
            rc = fputc('\\', out) == EOF ? EOF : fputc(*s, out);
        else
            rc = fputc(*s, out);
        if (rc == EOF)
            return -1;
    }
    return 0;
}

/* Multiple choice in wirebook is all or nothing: every right letter and no
 * other. GIFT's multiple-answer form gives partial credit per choice, so the
 * question is exported as short answer instead: the choices are listed in
 * its text and the answer is the letters, in order ("ac"), which Moodle
 * compares case-insensitively, for all the points or none. */
static int gift_multiple(FILE *out, const struct quiz_question *q)
{
    int rc = 0;
    for (size_t i = 0; i < q->n_choices; i++) {
        rc |= fprintf(out, "\\n\\n%c) ", (int)('a' + i)) < 0;
        rc |= gift_text(out, q->choices[i].text);
    }
    rc |= fputs("\\n\\nAnswer with the letters of every right choice, in order, e.g. ac.", out) ==
          EOF;
    char key[QUIZ_MAX_CHOICES + 1];
    quiz_correct_answer(q, key, sizeof key);
    rc |= fprintf(out, " {\n\t=%s", key) < 0;
    if (q->explanation) {
        rc |= fputs("\n\t####", out) == EOF;
        rc |= gift_text(out, q->explanation);
    }
    rc |= fputs("\n}\n\n", out) == EOF;
    return rc;
}

static int gift_question(FILE *out, const struct quiz_question *q)
{
    int rc = 0;
    rc |= fprintf(out, "// %s (%s)\n::%s::[markdown]", q->full_id, quiz_kind_name(q->kind),
                  q->full_id) < 0;
    rc |= gift_text(out, q->text);
    if (q->body) {
        rc |= fputs("\\n\\n", out) == EOF;
        rc |= gift_text(out, q->body);
    }
    if (q->kind == QUIZ_MULTIPLE)
        return gift_multiple(out, q) ? -1 : 0;
    rc |= fputs(" {", out) == EOF;

    if (q->kind == QUIZ_TRUE_FALSE) {
        rc |= fputs(q->choices[0].correct ? "TRUE" : "FALSE", out) == EOF;
    } else if (q->kind == QUIZ_SINGLE) {
        for (size_t i = 0; i < q->n_choices; i++) {
            const struct quiz_choice *c = &q->choices[i];
            rc |= fputs("\n\t", out) == EOF;
            rc |= fputc(c->correct ? '=' : '~', out) == EOF;
            rc |= gift_text(out, c->text);
            if (c->comment) {
                rc |= fputc('#', out) == EOF;
                rc |= gift_text(out, c->comment);
            }
        }
        if (q->explanation)
            rc |= fputs("\n\t", out) == EOF;
    }
    /* QUIZ_OPEN: an essay question, "{}" with only general feedback */
    if (q->explanation) {
        rc |= fputs("####", out) == EOF;
        rc |= gift_text(out, q->explanation);
    }
    rc |= fputs(q->kind == QUIZ_SINGLE ? "\n}\n\n" : "}\n\n", out) == EOF;
    return rc ? -1 : 0;
}

int quiz_export_gift(const struct quiz *quiz, FILE *out)
{
    for (size_t i = 0; i < quiz->n_questions; i++)
        if (quiz->questions[i].key) {
            fprintf(stderr,
                    "wirebook: %s is a student edition's quiz (keys are hashed): export "
                    "GIFT from the instructor's copy\n",
                    quiz->path);
            return -1;
        }
    if (fprintf(out, "// %s\n// exported by wirebook from %s\n\n$CATEGORY: wirebook/%s\n\n",
                quiz->title, quiz->path, quiz->name) < 0)
        return -1;
    for (size_t i = 0; i < quiz->n_questions; i++)
        if (gift_question(out, &quiz->questions[i]) != 0)
            return -1;
    return 0;
}

/* ---- HTML ----------------------------------------------------------------
 * The quiz goes into the page as JSON; a small script renders it and checks
 * the answers. The page loads nothing from anywhere. */

static const char *kind_key(enum quiz_kind k)
{
    switch (k) {
    case QUIZ_SINGLE: return "single";
    case QUIZ_MULTIPLE: return "multiple";
    case QUIZ_TRUE_FALSE: return "true-false";
    case QUIZ_OPEN: return "open";
    }
    return "?";
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *quiz_to_json(const struct quiz *quiz)
{
    json_t *root = json_object();
    json_t *qs = json_array();
    if (!root || !qs)
        goto fail;
    if (json_object_set_new(root, "name", json_string(quiz->name)) ||
        json_object_set_new(root, "title", json_string(quiz->title)) ||
        json_object_set(root, "questions", qs))
        goto fail;
    for (size_t i = 0; i < quiz->n_questions; i++) {
        const struct quiz_question *q = &quiz->questions[i];
        json_t *jq = json_object(), *choices = json_array(), *correct = json_array();
        if (!jq || !choices || !correct || json_array_append_new(qs, jq)) {
            json_decref(jq);
            json_decref(choices);
            json_decref(correct);
            goto fail;
        }
        if (json_object_set_new(jq, "choices", choices) ||
            json_object_set_new(jq, "correct", correct))
            goto fail;
        for (size_t c = 0; c < q->n_choices; c++) {
            json_t *jc = json_object();
            if (!jc || json_array_append_new(choices, jc) ||
                json_object_set_new(jc, "text", json_string(q->choices[c].text)) ||
                json_object_set_new(jc, "comment", str_or_null(q->choices[c].comment)))
                goto fail;
            if (q->choices[c].correct &&
                json_array_append_new(correct, json_integer((json_int_t)c)))
                goto fail;
        }
        if (json_object_set_new(jq, "id", json_string(q->id)) ||
            json_object_set_new(jq, "full_id", json_string(q->full_id)) ||
            json_object_set_new(jq, "kind", json_string(kind_key(q->kind))) ||
            json_object_set_new(jq, "text", json_string(q->text)) ||
            json_object_set_new(jq, "body", str_or_null(q->body)) ||
            json_object_set_new(jq, "hint", str_or_null(q->hint)) ||
            json_object_set_new(jq, "explanation", str_or_null(q->explanation)) ||
            json_object_set_new(jq, "salt", str_or_null(q->salt)) ||
            json_object_set_new(jq, "key", str_or_null(q->key)))
            goto fail;
    }
    json_decref(qs);
    return root;
fail:
    json_decref(qs);
    json_decref(root);
    return NULL;
}

static const char html_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>%s</title>\n"
    "<style>\n"
    "body{font-family:system-ui,sans-serif;max-width:46em;margin:2em auto;padding:0 "
    "1em;line-height:1.45;color:#222}\n"
    ".q{border:1px solid #ccc;border-radius:6px;padding:.6em 1em;margin:1em 0}\n"
    ".q h2{font-size:1.05em;margin:.3em 0}\n"
    ".q label{display:block;margin:.25em 0;cursor:pointer}\n"
    ".q.right{border-color:#2a7;background:#f3fbf6}.q.wrong{border-color:#c33;background:#fdf4f4}\n"
    ".q.unanswered{border-color:#c90}\n"
    ".feedback{margin-top:.5em}.feedback:empty{display:none}\n"
    ".comment{font-style:italic}\n"
    "pre{background:#f4f4f4;padding:.5em;overflow:auto}code{background:#f4f4f4;padding:0 .2em}\n"
    "textarea{width:100%%;min-height:4em}\n"
    "#score{font-weight:bold;font-size:1.1em}\n"
    "fieldset{border:0;padding:0;margin:0}legend{font-weight:bold;padding:0}\n"
    "</style>\n</head>\n<body>\n<main>\n"
    "<h1 id=\"title\"></h1>\n"
    "<p>Answer the questions, then press <b>Check answers</b>. Everything happens in this page;"
    " nothing is sent anywhere. Knowledge-check questions are open: compare your answer with the"
    " model answer yourself; they earn no points.</p>\n"
    "<form id=\"quiz\" onsubmit=\"return false\"></form>\n"
    "<p><button type=\"button\" id=\"check\">Check answers</button>"
    " <button type=\"button\" id=\"reset\">Start again</button></p>\n"
    "<p id=\"score\" role=\"status\" aria-live=\"polite\"></p>\n</main>\n"
    "<script type=\"application/json\" id=\"quiz-data\">";

static const char html_tail[] =
    "</script>\n<script>\n"
    "(function () {\n"
    "'use strict';\n"
    "var quiz = JSON.parse(document.getElementById('quiz-data').textContent);\n"
    "function esc(s) { return "
    "s.replace(/&/g,'&amp;').replace(/</g,'&lt;').replace(/>/g,'&gt;').replace(/\"/g,'&quot;'); }\n"
    "function inline(s) {\n"
    "  return esc(s).replace(/`([^`]+)`/g, '<code>$1</code>').replace(/\\*\\*([^*]+)\\*\\*/g, "
    "'<b>$1</b>');\n"
    "}\n"
    "/* A little Markdown: paragraphs, ``` code blocks, `code`, **bold**. */\n"
    "function md(s) {\n"
    "  if (!s) return '';\n"
    "  var out = [], para = [], code = null;\n"
    "  s.split('\\n').forEach(function (line) {\n"
    "    if (/^\\s*```/.test(line)) {\n"
    "      if (code === null) { if (para.length) { out.push('<p>' + inline(para.join(' ')) + "
    "'</p>'); para = []; } code = []; }\n"
    "      else { out.push('<pre><code>' + esc(code.join('\\n')) + '</code></pre>'); code = null; "
    "}\n"
    "    } else if (code !== null) { code.push(line); }\n"
    "    else if (/^\\s*$/.test(line)) { if (para.length) { out.push('<p>' + inline(para.join(' "
    "')) + '</p>'); para = []; } }\n"
    "    else { para.push(line); }\n"
    "  });\n"
    "  if (code !== null) out.push('<pre><code>' + esc(code.join('\\n')) + '</code></pre>');\n"
    "  if (para.length) out.push('<p>' + inline(para.join(' ')) + '</p>');\n"
    "  return out.join('');\n"
    "}\n"
    "/* SHA-256 of a string's UTF-8 bytes, in hex: a student edition keeps each key as\n"
    " * SHA-256(salt + full id + right letters), and the page hashes the choice the same way. */\n"
    "function rotr(x, n) { return (x >>> n) | (x << (32 - n)); }\n"
    "function sha256(text) {\n"
    "  var bytes = unescape(encodeURIComponent(text)), length = bytes.length, K = [], H = [], "
    "primes = [], w = [], i, j;\n"
    "  for (var n = 2; primes.length < 64; n++) {\n"
    "    var prime = true;\n"
    "    for (j = 2; j * j <= n; j++) if (n % j === 0) { prime = false; break; }\n"
    "    if (prime) primes.push(n);\n"
    "  }\n"
    "  /* the fractional bits of the primes' square roots (H) and cube roots (K) */\n"
    "  for (i = 0; i < 64; i++) K[i] = (Math.pow(primes[i], 1 / 3) * 4294967296) | 0;\n"
    "  for (i = 0; i < 8; i++) H[i] = (Math.pow(primes[i], 1 / 2) * 4294967296) | 0;\n"
    "  bytes += '\\x80';\n"
    "  while (bytes.length % 64 !== 56) bytes += '\\x00';\n"
    "  for (i = 0; i < bytes.length; i++) w[i >> 2] |= bytes.charCodeAt(i) << (24 - 8 * (i % 4));\n"
    "  w.push(Math.floor(length / 536870912), (length * 8) | 0);\n"
    "  for (i = 0; i < w.length; i += 16) {\n"
    "    var x = w.slice(i, i + 16), a = H.slice(0);\n"
    "    for (j = 0; j < 64; j++) {\n"
    "      if (j >= 16) {\n"
    "        var p = x[j - 15], q2 = x[j - 2];\n"
    "        x[j] = (x[j - 16] + (rotr(p, 7) ^ rotr(p, 18) ^ (p >>> 3)) + x[j - 7] +\n"
    "                (rotr(q2, 17) ^ rotr(q2, 19) ^ (q2 >>> 10))) | 0;\n"
    "      }\n"
    "      var e = a[4], t1 = (a[7] + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & a[5]) ^ "
    "(~e & a[6])) + K[j] + x[j]) | 0;\n"
    "      var f = a[0], t2 = ((rotr(f, 2) ^ rotr(f, 13) ^ rotr(f, 22)) + ((f & a[1]) ^ (f & "
    "a[2]) ^ (a[1] & a[2]))) | 0;\n"
    "      a = [(t1 + t2) | 0, a[0], a[1], a[2], (a[3] + t1) | 0, a[4], a[5], a[6]];\n"
    "    }\n"
    "    for (j = 0; j < 8; j++) H[j] = (H[j] + a[j]) | 0;\n"
    "  }\n"
    "  return H.map(function (h) { return ('0000000' + (h >>> 0).toString(16)).slice(-8); "
    "}).join('');\n"
    "}\n"
    "document.getElementById('title').textContent = quiz.title;\n"
    "var form = document.getElementById('quiz');\n"
    "/* Each student sees the choices in an order of their own, kept in this browser (or\n"
    " * #seed=... in the address; seed=canonical: the quiz file's order). True/false keeps\n"
    " * its order. Checking uses the quiz file's letters, whatever the order shown. */\n"
    "var seed = (/seed=([^&]*)/.exec(location.hash) || [])[1];\n"
    "if (!seed) {\n"
    "  try {\n"
    "    seed = localStorage.getItem('wirebook-seed');\n"
    "    if (!seed) { seed = String(Math.random()).slice(2); localStorage.setItem('wirebook-seed', "
    "seed); }\n"
    "  } catch (e) { seed = 'canonical'; }\n"
    "}\n"
    "function orderOf(q) {\n"
    "  var order = q.choices.map(function (c, i) { return i; });\n"
    "  if (seed === 'canonical' || q.kind === 'true-false') return order;\n"
    "  var h = 2166136261;\n"
    "  (seed + '/' + q.full_id).split('').forEach(function (ch) { h = Math.imul(h ^ "
    "ch.charCodeAt(0), 16777619); });\n"
    "  for (var i = order.length - 1; i > 0; i--) {\n"
    "    h = Math.imul(h ^ (h >>> 15), 2246822507); h = Math.imul(h ^ (h >>> 13), 3266489909); h "
    "^= "
    "h >>> 16;\n"
    "    var j = (h >>> 0) % (i + 1), t = order[i]; order[i] = order[j]; order[j] = t;\n"
    "  }\n"
    "  return order;\n"
    "}\n"
    "function shown(q, i) { return String.fromCharCode(97 + q.order.indexOf(i)); }\n"
    "quiz.questions.forEach(function (q, n) {\n"
    "  var div = document.createElement('div');\n"
    "  div.className = 'q'; div.id = 'q-' + q.id;\n"
    "  var h = '<h2 id=\"h-' + esc(q.id) + '\">' + (n + 1) + '. ' + inline(q.text) + '</h2>' + "
    "md(q.body);\n"
    "  if (q.hint) h += '<details><summary>Hint</summary>' + md(q.hint) + '</details>';\n"
    "  var type = q.kind === 'multiple' ? 'checkbox' : 'radio';\n"
    "  if (q.kind === 'multiple') h += '<p><i>Pick all that apply.</i></p>';\n"
    "  if (q.kind !== 'open') h += '<fieldset><legend>Choices for question ' + (n + 1) + "
    "'</legend>';\n"
    "  q.order = orderOf(q);\n"
    "  q.order.forEach(function (i, k) {\n"
    "    /* shown as the k-th letter; the id keeps the quiz file's letter */\n"
    "    var letter = String.fromCharCode(97 + i);\n"
    "    h += '<label><input type=\"' + type + '\" name=\"' + esc(q.id) + '\" value=\"' + i + '\" "
    "id=\"' + esc(q.id) + '-' + letter + '\"> ' +\n"
    "         shown(q, i) + ') ' + inline(q.choices[i].text) + '</label>';\n"
    "  });\n"
    "  if (q.kind !== 'open') h += '</fieldset>';\n"
    "  if (q.kind === 'open') h += '<textarea name=\"' + esc(q.id) + '\" aria-labelledby=\"h-' + "
    "esc(q.id) + '\" placeholder=\"Your answer (for yourself)\"></textarea>';\n"
    "  h += '<div class=\"feedback\" aria-live=\"polite\" id=\"feedback-' + esc(q.id) + "
    "'\"></div>';\n"
    "  div.innerHTML = h;\n"
    "  form.appendChild(div);\n"
    "});\n"
    "function chosen(q) {\n"
    "  var picked = [];\n"
    "  form.querySelectorAll('input[name=\"' + q.id + '\"]').forEach(function (el) { if "
    "(el.checked) picked.push(Number(el.value)); });\n"
    "  return picked;\n"
    "}\n"
    "function check() {\n"
    "  var points = 0, earned = 0;\n"
    "  quiz.questions.forEach(function (q) {\n"
    "    var div = document.getElementById('q-' + q.id), fb = document.getElementById('feedback-' "
    "+ q.id);\n"
    "    div.classList.remove('right', 'wrong', 'unanswered');\n"
    "    if (q.kind === 'open') { fb.innerHTML = '<b>Model answer:</b> ' + md(q.explanation); "
    "return; }\n"
    "    points++;\n"
    "    var picked = chosen(q), h = '';\n"
    "    if (picked.length === 0) { div.classList.add('unanswered'); div.dataset.result = "
    "'unanswered'; h = '<b>Not answered.</b>'; }\n"
    "    else {\n"
    "      var right = q.key ? sha256(q.salt + q.full_id + picked.slice().sort(function (x, y) { "
    "return x - y; }).map(function (i) "
    "{\n"
    "            return String.fromCharCode(97 + i); }).join('')) === q.key\n"
    "          : picked.length === q.correct.length && picked.every(function (i) { return "
    "q.correct.indexOf(i) >= 0; });\n"
    "      if (right) earned++;\n"
    "      div.classList.add(right ? 'right' : 'wrong'); div.dataset.result = right ? 'right' : "
    "'wrong';\n"
    "      h = right ? '<b>Right.</b>' : q.key ? '<b>Not quite.</b> Read the explanation and try "
    "again.' : '<b>Not quite.</b> The answer: ' + q.correct.map(function (i) {\n"
    "            return shown(q, i) + ') ' + inline(q.choices[i].text); }).join('; "
    "') + '.';\n"
    "      picked.forEach(function (i) { if (q.choices[i].comment) h += '<p class=\"comment\">' + "
    "shown(q, i) + ': ' + inline(q.choices[i].comment) + '</p>'; });\n"
    "    }\n"
    "    if (q.explanation) h += md(q.explanation);\n"
    "    fb.innerHTML = h;\n"
    "  });\n"
    "  var score = document.getElementById('score');\n"
    "  score.textContent = 'Score: ' + earned + ' / ' + points;\n"
    "  score.dataset.earned = earned; score.dataset.points = points;\n"
    "}\n"
    "document.getElementById('check').addEventListener('click', check);\n"
    "document.getElementById('reset').addEventListener('click', function () {\n"
    "  form.reset(); document.getElementById('score').textContent = '';\n"
    "  quiz.questions.forEach(function (q) { document.getElementById('feedback-' + q.id).innerHTML "
    "= '';\n"
    "    document.getElementById('q-' + q.id).classList.remove('right', 'wrong', 'unanswered'); "
    "});\n"
    "});\n"
    "/* Answers in the address, e.g. page.html#answers=q01:a,q02:bc&check, are ticked\n"
    " * (and checked with &check) as if clicked: handy to share or to test the page. */\n"
    "var m = /answers=([^&]*)/.exec(location.hash);\n"
    "if (m) {\n"
    "  decodeURIComponent(m[1]).split(',').forEach(function (pair) {\n"
    "    var kv = pair.split(':'); if (kv.length !== 2) return;\n"
    "    var v = kv[1].toLowerCase().replace(/^true$/, 't').replace(/^false$/, 'f');\n"
    "    v = v === 't' ? 'a' : v === 'f' ? 'b' : v;\n"
    "    v.split('').forEach(function (letter) {\n"
    "      var el = document.getElementById(kv[0] + '-' + letter); if (el) el.click();\n"
    "    });\n"
    "  });\n"
    "  if (/(^|[#&])check($|&)/.test(location.hash)) document.getElementById('check').click();\n"
    "}\n"
    "})();\n"
    "</script>\n</body>\n</html>\n";

int quiz_export_html(const struct quiz *quiz, FILE *out)
{
    json_t *data = quiz_to_json(quiz);
    if (!data)
        return -1;
    /* JSON_ESCAPE_SLASH writes "<\/script>" so the data cannot end the script element */
    char *json = json_dumps(data, JSON_INDENT(1) | JSON_ESCAPE_SLASH);
    json_decref(data);
    if (!json)
        return -1;

    /* the <title> is text: escape it */
    size_t tn = strlen(quiz->title);
    char *title = malloc(tn * 6 + 1);
    if (!title) {
        free(json);
        return -1;
    }
    char *t = title;
    for (const char *s = quiz->title; *s; s++) {
        const char *rep = *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '&' ? "&amp;" : NULL;
        if (rep) {
            strcpy(t, rep);
            t += strlen(rep);
        } else {
            *t++ = *s;
        }
    }
    *t = '\0';

    int rc = 0;
    if (fprintf(out, html_head, title) < 0 || fputs(json, out) == EOF ||
        fputs(html_tail, out) == EOF)
        rc = -1;
    free(title);
    free(json);
    return rc;
}
