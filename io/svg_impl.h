/* io/svg_impl.h — the small set of SVG drawing helpers every report chart uses.
 *
 * A kiln_svg maps a data rectangle [xlo, xhi] x [ylo, yhi] onto a plot area
 * inside an <svg> element; every shape is given in data coordinates.
 *
 *     kiln_svg s;
 *     kiln_svg_begin(&s, out, "ROC", 0, 1, 0, 1, 60);
 *     kiln_svg_axes(&s, "false positive rate", "true positive rate");
 *     kiln_svg_line(&s, fpr, tpr, n, kiln_svg_color(0), 0);
 *     kiln_svg_legend(&s, 0, 1, 1, 1, kiln_svg_color(0), "AUC 0.97");
 *     kiln_svg_end(&s);
 */
#ifndef KILN_IO_SVG_IMPL_H
#define KILN_IO_SVG_IMPL_H

#include <stddef.h>
#include <stdio.h>

#define KILN_SVG_WIDTH 540.0
#define KILN_SVG_HEIGHT 400.0

typedef struct kiln_svg {
    FILE *out;
    double xlo, xhi, ylo, yhi;       /* the data rectangle                */
    double left, top, width, height; /* the plot area, in pixels          */
} kiln_svg;

/* Open a chart titled `title`; `left` is the margin for y labels in pixels.
 * An empty range is widened so that every value maps to a finite pixel. */
void kiln_svg_begin(kiln_svg *s, FILE *out, const char *title, double xlo, double xhi, double ylo, double yhi,
                    double left);
/* The frame, about five round-valued ticks on each axis, and the axis labels;
 * a NULL ylabel leaves the y axis bare (for rows of named bars). */
void kiln_svg_axes(kiln_svg *s, const char *xlabel, const char *ylabel);
/* A polyline through the finite points (NaN points break the line). */
void kiln_svg_line(kiln_svg *s, const double *x, const double *y, size_t n, const char *color, int dashed);
/* Dots at every `stride`-th point. */
void kiln_svg_points(kiln_svg *s, const double *x, const double *y, size_t n, size_t stride, const char *color);
void kiln_svg_rect(kiln_svg *s, double x0, double y0, double x1, double y1, const char *fill);
/* Text at a data point shifted by (dx, dy) pixels; anchor "start", "middle" or "end". */
void kiln_svg_text(kiln_svg *s, double x, double y, double dx, double dy, const char *anchor, const char *text);
/* Legend entry i of n, inside the plot area in the corner given by
 * right (else left) and bottom (else top). */
void kiln_svg_legend(kiln_svg *s, size_t i, size_t n, int right, int bottom, const char *color, const char *text);
void kiln_svg_end(kiln_svg *s);

/* A colour of the chart palette (cycles). */
const char *kiln_svg_color(size_t i);
/* Lowest and highest finite value of v (0 and 1 when there is none). */
void kiln_svg_extent(const double *v, size_t n, double *lo, double *hi);
/* Text with & < > " escaped for HTML and SVG. */
void kiln_html_escape(FILE *out, const char *s);

#endif
