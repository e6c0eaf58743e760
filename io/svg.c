/* SVG drawing helpers for the report charts (see svg_impl.h).
 *
 * Data maps to pixels linearly: px = left + (x - xlo) / (xhi - xlo) * width,
 * py = top + (yhi - y) / (yhi - ylo) * height. Ticks are at multiples of a
 * step of 1, 2 or 5 times a power of ten chosen to give about five of them
 * (Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990). */
#include "io/svg_impl.h"

#include <math.h>

#define MARGIN_TOP 34.0
#define MARGIN_RIGHT 16.0
#define MARGIN_BOTTOM 48.0
#define TICKS 5.0
#define LEGEND_WIDTH 190.0

static const char *const palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

const char *kiln_svg_color(size_t i)
{
    return palette[i % (sizeof palette / sizeof palette[0])];
}

void kiln_html_escape(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*s, out);
        }
    }
}

void kiln_svg_extent(const double *v, size_t n, double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) {
            *lo = fmin(*lo, v[i]);
            *hi = fmax(*hi, v[i]);
        }
    if (*lo > *hi) {
        *lo = 0;
        *hi = 1;
    }
}

static double px(const kiln_svg *s, double x)
{
    return s->left + (x - s->xlo) / (s->xhi - s->xlo) * s->width;
}

static double py(const kiln_svg *s, double y)
{
    return s->top + (s->yhi - y) / (s->yhi - s->ylo) * s->height;
}

static void widen(double *lo, double *hi)
{
    if (*hi > *lo)
        return;
    double pad = *lo == 0 ? 1.0 : fabs(*lo) * 0.5;
    *lo -= pad;
    *hi += pad;
}

void kiln_svg_begin(kiln_svg *s, FILE *out, const char *title, double xlo, double xhi, double ylo, double yhi,
                    double left)
{
    widen(&xlo, &xhi);
    widen(&ylo, &yhi);
    *s = (kiln_svg){out, xlo, xhi, ylo, yhi, left, MARGIN_TOP, KILN_SVG_WIDTH - left - MARGIN_RIGHT,
                    KILN_SVG_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM};
    fprintf(out, "<svg width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n",
            KILN_SVG_WIDTH, KILN_SVG_HEIGHT, KILN_SVG_WIDTH, KILN_SVG_HEIGHT);
    fprintf(out, "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");
    fprintf(out, "<text x=\"%.1f\" y=\"20\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">",
            KILN_SVG_WIDTH / 2);
    kiln_html_escape(out, title);
    fputs("</text>\n", out);
}

/* A round step giving about TICKS intervals over [lo, hi]. */
static double tick_step(double lo, double hi)
{
    double raw = (hi - lo) / TICKS, p = pow(10.0, floor(log10(raw))), f = raw / p;
    return (f < 1.5 ? 1.0 : f < 3.5 ? 2.0 : f < 7.5 ? 5.0 : 10.0) * p;
}

void kiln_svg_axes(kiln_svg *s, const char *xlabel, const char *ylabel)
{
    FILE *o = s->out;
    fprintf(o, "<g font-size=\"11\" fill=\"#333333\" stroke-width=\"1\">\n");
    double step = tick_step(s->xlo, s->xhi);
    for (double t = ceil(s->xlo / step - 1e-9) * step; t <= s->xhi + step * 1e-9; t += step) {
        double x = px(s, t), tv = fabs(t) < step * 1e-9 ? 0.0 : t;
        fprintf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>", x, s->top, x,
                s->top + s->height);
        fprintf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.4g</text>\n", x, s->top + s->height + 15, tv);
    }
    step = tick_step(s->ylo, s->yhi);
    for (double t = ceil(s->ylo / step - 1e-9) * step; ylabel && t <= s->yhi + step * 1e-9; t += step) {
        double y = py(s, t), tv = fabs(t) < step * 1e-9 ? 0.0 : t;
        fprintf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>", s->left, y,
                s->left + s->width, y);
        fprintf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.4g</text>\n", s->left - 5, y + 4, tv);
    }
    fprintf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#333333\"/>\n",
            s->left, s->top, s->width, s->height);
    fprintf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", s->left + s->width / 2, KILN_SVG_HEIGHT - 10);
    kiln_html_escape(o, xlabel);
    fprintf(o, "</text>\n<text x=\"14\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 14 %.1f)\">",
            s->top + s->height / 2, s->top + s->height / 2);
    kiln_html_escape(o, ylabel ? ylabel : "");
    fputs("</text>\n</g>\n", o);
}

void kiln_svg_line(kiln_svg *s, const double *x, const double *y, size_t n, const char *color, int dashed)
{
    size_t i = 0;
    while (i < n) {
        for (; i < n && !(isfinite(x[i]) && isfinite(y[i])); i++)
            ;
        if (i == n)
            break;
        fprintf(s->out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"", color,
                dashed ? " stroke-dasharray=\"6 4\"" : "");
        for (; i < n && isfinite(x[i]) && isfinite(y[i]); i++)
            fprintf(s->out, "%.1f,%.1f ", px(s, x[i]), py(s, y[i]));
        fputs("\"/>\n", s->out);
    }
}

void kiln_svg_points(kiln_svg *s, const double *x, const double *y, size_t n, size_t stride, const char *color)
{
    fprintf(s->out, "<g fill=\"%s\" fill-opacity=\"0.6\">", color);
    for (size_t i = 0; i < n; i += stride ? stride : 1)
        if (isfinite(x[i]) && isfinite(y[i]))
            fprintf(s->out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\"/>", px(s, x[i]), py(s, y[i]));
    fputs("</g>\n", s->out);
}

void kiln_svg_rect(kiln_svg *s, double x0, double y0, double x1, double y1, const char *fill)
{
    double a = px(s, fmin(x0, x1)), b = px(s, fmax(x0, x1)), c = py(s, fmax(y0, y1)), d = py(s, fmin(y0, y1));
    fprintf(s->out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n", a, c, b - a, d - c,
            fill);
}

void kiln_svg_text(kiln_svg *s, double x, double y, double dx, double dy, const char *anchor, const char *text)
{
    fprintf(s->out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"%s\">", px(s, x) + dx, py(s, y) + dy,
            anchor);
    kiln_html_escape(s->out, text);
    fputs("</text>\n", s->out);
}

void kiln_svg_legend(kiln_svg *s, size_t i, size_t n, int right, int bottom, const char *color, const char *text)
{
    double x = right ? s->left + s->width - LEGEND_WIDTH : s->left + 10;
    double y = (bottom ? s->top + s->height - 16 * (double)n - 6 : s->top + 10) + 14 + 16 * (double)i;
    fprintf(s->out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"4\" fill=\"%s\"/>", x, y - 5, color);
    fprintf(s->out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">", x + 17, y);
    kiln_html_escape(s->out, text);
    fputs("</text>\n", s->out);
}

void kiln_svg_end(kiln_svg *s)
{
    fputs("</svg>\n", s->out);
}
