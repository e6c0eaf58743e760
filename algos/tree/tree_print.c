/* A tree in the user's terms: scikit-learn's export_text layout, a flat JSON
 * node list, and Graphviz DOT; feature names and thresholds in original units. */
#include <math.h>
#include <stdio.h>
#include "algos/tree/tree_impl.h"
#include "kiln/metrics.h"

static double threshold_of(const kiln_tree *t, const kiln_inspect_args *a, size_t k)
{
    double v = t->threshold[k];
    if (a->unscale && isfinite(v))
        v = a->unscale(a->unscale_arg, (size_t)t->feature[k], v);
    return v;
}

/* Whether leaves are labelled by class (one output per named class). */
static int by_class(const kiln_tree *t, const kiln_inspect_args *a)
{
    return a->class_names && t->n_outputs >= 2 && t->n_outputs == a->n_classes;
}

static void text_leaf(const kiln_tree *t, const kiln_inspect_args *a, size_t k, FILE *out)
{
    const double *v = t->value + k * t->n_outputs;
    if (by_class(t, a)) {
        fprintf(out, "class: %s\n", a->class_names[kiln_argmax_row(v, t->n_outputs)]);
        return;
    }
    fputs("value: [", out);
    for (size_t q = 0; q < t->n_outputs; q++)
        fprintf(out, "%s%.2f", q ? ", " : "", v[q]);
    fputs("]\n", out);
}

static void text_node(const kiln_tree *t, const kiln_inspect_args *a, size_t k, int depth, FILE *out)
{
    char buf[32];
    if (t->feature[k] < 0) {
        for (int i = 0; i < depth; i++)
            fputs("|   ", out);
        fputs("|--- ", out);
        text_leaf(t, a, k, out);
        return;
    }
    const char *name = kiln_inspect_feature(a, (size_t)t->feature[k], buf, sizeof buf);
    double thr = threshold_of(t, a, k);
    for (int i = 0; i < depth; i++)
        fputs("|   ", out);
    fprintf(out, "|--- %s <= %.2f\n", name, thr);
    text_node(t, a, (size_t)t->left[k], depth + 1, out);
    for (int i = 0; i < depth; i++)
        fputs("|   ", out);
    fprintf(out, "|--- %s >  %.2f\n", name, thr);
    text_node(t, a, (size_t)t->left[k] + 1, depth + 1, out);
}

void kiln_tree_write_text(const kiln_tree *t, const kiln_inspect_args *a, FILE *out)
{
    text_node(t, a, 0, 0, out);
}

void kiln_tree_write_json(const kiln_tree *t, const kiln_inspect_args *a, kiln_json *j)
{
    char buf[32];
    kiln_json_begin_object(j);
    kiln_json_key(j, "n_nodes");
    kiln_json_int(j, (long long)t->n_nodes);
    kiln_json_key(j, "nodes");
    kiln_json_begin_array(j);
    for (size_t k = 0; k < t->n_nodes; k++) {
        kiln_json_begin_object(j);
        kiln_json_key(j, "id");
        kiln_json_int(j, (long long)k);
        if (t->feature[k] >= 0) {
            kiln_json_key(j, "feature");
            kiln_json_str(j, kiln_inspect_feature(a, (size_t)t->feature[k], buf, sizeof buf));
            kiln_json_key(j, "threshold");
            double thr = threshold_of(t, a, k);
            if (isinf(thr))
                kiln_json_str(j, "inf");
            else
                kiln_json_num(j, thr);
            kiln_json_key(j, "missing_goes_left");
            kiln_json_bool(j, t->default_left[k]);
            kiln_json_key(j, "left");
            kiln_json_int(j, t->left[k]);
            kiln_json_key(j, "right");
            kiln_json_int(j, t->left[k] + 1);
            kiln_json_key(j, "gain");
            kiln_json_num(j, kiln_tree_gain(t, k));
        }
        kiln_json_key(j, "impurity");
        kiln_json_num(j, t->impurity[k]);
        kiln_json_key(j, "samples");
        kiln_json_int(j, (long long)t->count[k]);
        kiln_json_key(j, "weight");
        kiln_json_num(j, t->cover[k]);
        kiln_json_key(j, "value");
        kiln_json_begin_array(j);
        for (size_t q = 0; q < t->n_outputs; q++)
            kiln_json_num(j, t->value[k * t->n_outputs + q]);
        kiln_json_end_array(j);
        kiln_json_end_object(j);
    }
    kiln_json_end_array(j);
    kiln_json_end_object(j);
}

/* Double quotes and backslashes in a DOT label. */
static void dot_escaped(const char *s, FILE *out)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', out);
        fputc(*s, out);
    }
}

void kiln_tree_write_dot(const kiln_tree *t, const kiln_inspect_args *a, size_t index, FILE *out)
{
    char buf[32];
    fprintf(out, "digraph Tree%zu {\nnode [shape=box, fontname=\"helvetica\"];\nedge [fontname=\"helvetica\"];\n",
            index);
    for (size_t k = 0; k < t->n_nodes; k++) {
        fprintf(out, "t%zu_%zu [label=\"", index, k);
        if (t->feature[k] >= 0) {
            dot_escaped(kiln_inspect_feature(a, (size_t)t->feature[k], buf, sizeof buf), out);
            fprintf(out, " <= %.4g\\n", threshold_of(t, a, k));
        }
        fprintf(out, "impurity = %.4g\\nsamples = %u\\nvalue = [", t->impurity[k], t->count[k]);
        for (size_t q = 0; q < t->n_outputs; q++)
            fprintf(out, "%s%.3g", q ? ", " : "", t->value[k * t->n_outputs + q]);
        fputs("]", out);
        if (t->feature[k] < 0 && by_class(t, a)) {
            fputs("\\nclass = ", out);
            dot_escaped(a->class_names[kiln_argmax_row(t->value + k * t->n_outputs, t->n_outputs)], out);
        }
        fputs("\"];\n", out);
        if (t->feature[k] >= 0) {
            fprintf(out, "t%zu_%zu -> t%zu_%d [label=\"True\"];\n", index, k, index, t->left[k]);
            fprintf(out, "t%zu_%zu -> t%zu_%d [label=\"False\"];\n", index, k, index, t->left[k] + 1);
        }
    }
    fputs("}\n", out);
}
