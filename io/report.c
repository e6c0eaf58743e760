/* The HTML report writer (see kiln/report.h): one file, inline CSS and SVG,
 * nothing fetched from elsewhere, written through kiln_outfile so it appears
 * whole or not at all. Every chart is drawn with the helpers of svg_impl.h. */
#include "kiln/report.h"

#include <math.h>
#include "io/svg_impl.h"
#include "kiln/outfile.h"

#define MAX_BARS 20
#define MAX_POINTS 2000
#define CONFUSION_MAX_LEGEND 12

static const char style[] =
    "body{font-family:sans-serif;margin:24px;color:#222;background:#fafafa}"
    "h1{font-size:22px}h2{font-size:18px;margin-top:28px}"
    "table{border-collapse:collapse;background:#fff}"
    "td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}"
    "th:first-child,td:first-child{text-align:left}th{background:#eef2f7}"
    ".charts{display:flex;flex-wrap:wrap;gap:16px}"
    ".charts svg{border:1px solid #ddd;background:#fff}.note{color:#555;font-size:13px}";

static void cell_number(FILE *o, double v)
{
    if (isnan(v))
        fputs("<td></td>", o);
    else
        fprintf(o, "<td>%.4f</td>", v);
}

static void text_tag(FILE *o, const char *tag, const char *text)
{
    fprintf(o, "<%s>", tag);
    kiln_html_escape(o, text);
    fprintf(o, "</%s>", tag);
}

static void write_leaderboard(FILE *o, const kiln_report_leaderboard *lb)
{
    fputs("<h2>Leaderboard</h2>\n<table>\n<tr><th>Model</th>", o);
    for (size_t c = 0; c < lb->cols; c++)
        text_tag(o, "th", lb->columns[c]);
    if (lb->errors)
        fputs("<th>Error</th>", o);
    fputs("</tr>\n", o);
    for (size_t r = 0; r < lb->rows; r++) {
        fputs("<tr>", o);
        text_tag(o, "td", lb->models[r]);
        for (size_t c = 0; c < lb->cols; c++)
            cell_number(o, lb->values[r * lb->cols + c]);
        if (lb->errors)
            text_tag(o, "td", lb->errors[r] ? lb->errors[r] : "");
        fputs("</tr>\n", o);
    }
    fputs("</table>\n", o);
}

static void write_metrics(FILE *o, const kiln_report *r)
{
    fputs("<h2>Metrics on the held-out rows</h2>\n<table>\n<tr><th>Model</th>", o);
    for (size_t i = 0; i < r->n_metrics; i++)
        text_tag(o, "th", r->metric_names[i]);
    fputs("</tr>\n<tr>", o);
    text_tag(o, "td", r->model_name);
    for (size_t i = 0; i < r->n_metrics; i++)
        cell_number(o, r->metric_values[i]);
    fputs("</tr>\n</table>\n", o);
}

/* ROC (which = 0) or precision-recall (1) curves of every class. */
static void chart_curves(FILE *o, const kiln_report *r, int which)
{
    kiln_svg s;
    kiln_svg_begin(&s, o, which ? "Precision-recall" : "ROC", 0, 1, 0, 1.02, 60);
    kiln_svg_axes(&s, which ? "recall" : "false positive rate", which ? "precision" : "true positive rate");
    if (!which) {
        const double diag[2] = {0, 1};
        kiln_svg_line(&s, diag, diag, 2, "#999999", 1);
    }
    size_t shown = 0;
    for (size_t c = 0; c < r->n_curves; c++) {
        const kiln_curve *cv = which ? &r->pr[c] : &r->roc[c];
        char label[160];
        if (which)
            snprintf(label, sizeof label, "%.60s", r->curve_names[c]);
        else
            snprintf(label, sizeof label, "%.60s (AUC %.3f)", r->curve_names[c], r->roc_auc[c]);
        kiln_svg_line(&s, cv->x, cv->y, cv->n, kiln_svg_color(c), 0);
        if (cv->n && r->n_curves <= CONFUSION_MAX_LEGEND)
            kiln_svg_legend(&s, shown++, r->n_curves, 1, 1, kiln_svg_color(c), label);
    }
    kiln_svg_end(&s);
}

/* Cells shaded by the share of their true class's rows; counts written in. */
static void chart_confusion(FILE *o, const kiln_report *r)
{
    size_t k = r->n_classes;
    kiln_svg s;
    kiln_svg_begin(&s, o, "Confusion matrix (rows: true, columns: predicted)", 0, (double)k, 0, (double)k, 90);
    for (size_t t = 0; t < k; t++) {
        double row = 0;
        for (size_t p = 0; p < k; p++)
            row += r->confusion[t * k + p];
        for (size_t p = 0; p < k; p++) {
            double v = r->confusion[t * k + p], share = row > 0 ? v / row : 0;
            char fill[16], count[32];
            int shade = (int)lround(255 - 140 * share);
            snprintf(fill, sizeof fill, "#%02x%02xff", shade, shade);
            snprintf(count, sizeof count, "%.0f", v);
            double y = (double)(k - t);
            kiln_svg_rect(&s, (double)p, y - 1, (double)p + 1, y, fill);
            kiln_svg_text(&s, (double)p + 0.5, y - 0.5, 0, 4, "middle", count);
        }
        kiln_svg_text(&s, 0, (double)(k - t) - 0.5, -6, 4, "end", r->classes[t]);
        kiln_svg_text(&s, (double)t + 0.5, 0, 0, 16, "middle", r->classes[t]);
    }
    kiln_svg_end(&s);
}

/* The largest importances (the report keeps them sorted) as horizontal bars, largest on top. */
static void chart_importance(FILE *o, const kiln_report *r)
{
    size_t d = r->n_features, bars = d < MAX_BARS ? d : MAX_BARS;
    double lo, hi;
    kiln_svg_extent(r->importance, d, &lo, &hi);
    kiln_svg s;
    kiln_svg_begin(&s, o,
                   r->importance_kind == KILN_IMPORTANCE_BUILTIN ? "Feature importance (the estimator's own)"
                                                                 : "Permutation importance (metric drop)",
                   fmin(lo, 0), fmax(hi, 0), 0, (double)bars, 150);
    kiln_svg_axes(&s, "importance", NULL);
    for (size_t j = 0; j < bars; j++) {
        double y = (double)(bars - j);
        kiln_svg_rect(&s, 0, y - 0.8, r->importance[j], y - 0.2, kiln_svg_color(0));
        kiln_svg_text(&s, fmin(lo, 0), y - 0.5, -6, 4, "end", r->feature_names[j]);
    }
    kiln_svg_end(&s);
}

static void chart_learning(FILE *o, const kiln_report *r)
{
    double xlo, xhi, lo1, hi1, lo2, hi2;
    kiln_svg_extent(r->learn_size, r->n_learn, &xlo, &xhi);
    kiln_svg_extent(r->learn_train, r->n_learn, &lo1, &hi1);
    kiln_svg_extent(r->learn_test, r->n_learn, &lo2, &hi2);
    double lo = fmin(lo1, lo2), hi = fmax(hi1, hi2), pad = (hi - lo) * 0.1 + 1e-3;
    kiln_svg s;
    kiln_svg_begin(&s, o, "Learning curve", 0, xhi, lo - pad, hi + pad, 60);
    kiln_svg_axes(&s, "training rows", r->task == KILN_TASK_CLASSIFY ? "Accuracy" : "R2");
    kiln_svg_line(&s, r->learn_size, r->learn_train, r->n_learn, kiln_svg_color(0), 0);
    kiln_svg_points(&s, r->learn_size, r->learn_train, r->n_learn, 1, kiln_svg_color(0));
    kiln_svg_line(&s, r->learn_size, r->learn_test, r->n_learn, kiln_svg_color(1), 0);
    kiln_svg_points(&s, r->learn_size, r->learn_test, r->n_learn, 1, kiln_svg_color(1));
    kiln_svg_legend(&s, 0, 2, 1, 1, kiln_svg_color(0), "training rows");
    kiln_svg_legend(&s, 1, 2, 1, 1, kiln_svg_color(1), "held-out rows");
    kiln_svg_end(&s);
}

/* Predicted vs actual (with y = x), or residuals (actual - predicted) vs predicted. */
static void chart_regression(FILE *o, const kiln_report *r, int residuals)
{
    size_t n = r->rows, stride = (n + MAX_POINTS - 1) / MAX_POINTS;
    const double *res = r->residual;
    double plo, phi, alo, ahi;
    kiln_svg_extent(r->predicted, n, &plo, &phi);
    kiln_svg_extent(residuals ? res : r->actual, n, &alo, &ahi);
    if (!residuals) {
        plo = alo = fmin(plo, alo);
        phi = ahi = fmax(phi, ahi);
    }
    double xpad = (phi - plo) * 0.04, ypad = (ahi - alo) * 0.04;
    plo -= xpad;
    phi += xpad;
    alo -= ypad;
    ahi += ypad;
    kiln_svg s;
    kiln_svg_begin(&s, o, residuals ? "Residuals" : "Predicted vs actual", plo, phi, alo, ahi, 60);
    kiln_svg_axes(&s, "predicted", residuals ? "actual - predicted" : "actual");
    const double ref_x[2] = {plo, phi}, ref_y[2] = {residuals ? 0 : plo, residuals ? 0 : phi};
    kiln_svg_line(&s, ref_x, ref_y, 2, "#999999", 1);
    kiln_svg_points(&s, r->predicted, residuals ? res : r->actual, n, stride ? stride : 1, kiln_svg_color(0));
    kiln_svg_end(&s);
}

static void write_page(FILE *o, const kiln_report *r, const kiln_report_leaderboard *lb)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", o);
    text_tag(o, "title", r->title);
    fprintf(o, "\n<style>%s</style>\n</head>\n<body>\n", style);
    text_tag(o, "h1", r->title);
    fputs("\n<p>", o);
    kiln_html_escape(o, r->model_name);
    fputs(" (", o);
    kiln_html_escape(o, r->model_id);
    fprintf(o, "), %s, scored on ", r->task == KILN_TASK_CLASSIFY ? "classification" : "regression");
    kiln_html_escape(o, r->data_name);
    fprintf(o, " (%zu rows).</p>\n", r->rows);
    if (lb)
        write_leaderboard(o, lb);
    write_metrics(o, r);
    fputs("<h2>The model</h2>\n<div class=\"charts\">\n", o);
    if (r->task == KILN_TASK_CLASSIFY) {
        chart_curves(o, r, 0);
        chart_curves(o, r, 1);
        chart_confusion(o, r);
    } else {
        chart_regression(o, r, 0);
        chart_regression(o, r, 1);
    }
    if (r->n_features)
        chart_importance(o, r);
    if (r->n_learn)
        chart_learning(o, r);
    fputs("</div>\n", o);
    if (!r->n_learn)
        fputs("<p class=\"note\">No learning curve: the training rows were not given.</p>\n", o);
    fputs("</body>\n</html>\n", o);
}

kiln_status kiln_report_write(const kiln_report *r, const kiln_report_leaderboard *lb, const char *path)
{
    kiln_outfile *f;
    KILN_TRY(kiln_outfile_open(path, &f));
    write_page(kiln_outfile_stream(f), r, lb);
    return kiln_outfile_commit(f);
}
