/* kiln inspect — what a saved model learned, in text, JSON or Graphviz DOT. */
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "kiln/knn.h"
#include "kiln/util.h"

static const char inspect_help[] =
    "usage: kiln inspect MODEL [--format text|json|dot] [--tree N]\n"
    "                          [--importance builtin|permutation [--data FILE] [--repeats N]]\n"
    "                          [--neighbors ROW [--data FILE] [--k K]]\n"
    "\n"
    "Print the model: its estimator and hyperparameters (config), the preprocessing\n"
    "steps with their fitted values, and what the estimator learned (coefficients,\n"
    "intercepts, trees...).\n"
    "\n"
    "  --format F        text (default), json, or dot (tree models)\n"
    "  --tree N          only tree N of an ensemble\n"
    "  --importance K    feature importances instead: builtin (impurity, gain or |coef|)\n"
    "                    or permutation (needs --data, a labelled CSV file)\n"
    "  --data FILE       rows for permutation importance\n"
    "  --repeats N       shuffles per column for permutation importance (default 5)\n"
    "  --seed N          seed of the shuffles (default 1)\n"
    "  --neighbors ROW   knn: the training rows nearest to row ROW (counted from 0) of\n"
    "                    --data FILE, or of the training rows when no --data is given\n"
    "  --k K             how many neighbours to list (default: the model's n_neighbors)\n";

enum { OPT_FORMAT = 256, OPT_TREE, OPT_IMPORTANCE, OPT_DATA, OPT_REPEATS, OPT_SEED, OPT_NEIGHBORS, OPT_K, OPT_HELP };

static const struct option inspect_options[] = {
    {"format", required_argument, NULL, OPT_FORMAT}, {"tree", required_argument, NULL, OPT_TREE},
    {"importance", required_argument, NULL, OPT_IMPORTANCE}, {"data", required_argument, NULL, OPT_DATA},
    {"repeats", required_argument, NULL, OPT_REPEATS}, {"seed", required_argument, NULL, OPT_SEED},
    {"neighbors", required_argument, NULL, OPT_NEIGHBORS}, {"k", required_argument, NULL, OPT_K},
    {"help", no_argument, NULL, OPT_HELP}, {NULL, 0, NULL, 0},
};

typedef struct inspect_opts {
    const char *model, *importance, *data;
    kiln_inspect_format format;
    long tree, repeats, neighbors, k;
    uint64_t seed;
} inspect_opts;

/* {"model", "name", "seed", "config"}: who the estimator is and how it was set. */
static void print_config_json(const kiln_model *m)
{
    kiln_json jj, *j = &jj;
    kiln_json_init(j, stdout, 1);
    kiln_json_begin_object(j);
    kiln_json_key(j, "model");
    kiln_json_str(j, m->algo->id);
    kiln_json_key(j, "name");
    kiln_json_str(j, kiln_algo_name(m->algo, m->pipe->task));
    kiln_json_key(j, "seed");
    kiln_json_int(j, (long long)m->seed);
    kiln_json_key(j, "config");
    kiln_json_begin_object(j);
    for (size_t i = 0; i < m->params.n; i++) {
        kiln_json_key(j, m->params.spec[i].name);
        kiln_json_str(j, m->params.v[i].text);
    }
    kiln_json_end_object(j);
    kiln_json_end_object(j);
}

static kiln_status print_model(const kiln_model *m, const inspect_opts *o)
{
    kiln_inspect_args a = cli_inspect_args(m, o->format);
    a.tree = (int)o->tree;
    if (o->format == KILN_INSPECT_DOT)
        return m->algo->inspect(m->est, &a, stdout);
    if (o->format == KILN_INSPECT_JSON) {
        /* Three documents joined under one object: each part writes its own JSON. */
        printf("{\"estimator\": ");
        print_config_json(m);
        printf(", \"preprocessing\": ");
        kiln_pipeline_inspect(m->pipe, KILN_INSPECT_JSON, stdout);
        printf(", \"learned\": ");
        KILN_TRY(m->algo->inspect(m->est, &a, stdout));
        printf("}\n");
        return KILN_OK;
    }
    printf("model: %s (%s), seed %llu\nconfig:", kiln_algo_name(m->algo, m->pipe->task), m->algo->id,
           (unsigned long long)m->seed);
    for (size_t i = 0; i < m->params.n; i++)
        printf(" %s=%s", m->params.spec[i].name, m->params.v[i].text);
    printf("\n");
    kiln_pipeline_inspect(m->pipe, KILN_INSPECT_TEXT, stdout);
    printf("learned:\n");
    return m->algo->inspect(m->est, &a, stdout);
}

/* Importances, largest first, as "name value" lines (or JSON). */
static void print_importances(const char *const *names, const double *v, size_t n, kiln_inspect_format fmt)
{
    size_t *idx = kiln_alloc(n, sizeof *idx);
    double *neg = kiln_alloc(n, sizeof *neg);
    if (!idx || !neg) {
        free(idx);
        free(neg);
        return;
    }
    for (size_t i = 0; i < n; i++)
        neg[i] = -v[i];
    kiln_argsort(neg, idx, n);
    kiln_json j;
    if (fmt == KILN_INSPECT_JSON) {
        kiln_json_init(&j, stdout, 1);
        kiln_json_begin_object(&j);
    }
    for (size_t r = 0; r < n; r++) {
        size_t i = idx[r];
        if (fmt == KILN_INSPECT_JSON) {
            kiln_json_key(&j, names[i]);
            kiln_json_num(&j, v[i]);
        } else {
            printf("%-32s %.6f\n", names[i], v[i]);
        }
    }
    if (fmt == KILN_INSPECT_JSON) {
        kiln_json_end_object(&j);
    }
    free(idx);
    free(neg);
}

static kiln_status print_importance(const kiln_model *m, const inspect_opts *o)
{
    if (strcmp(o->importance, "builtin") == 0) {
        if (!m->algo->importance)
            return KILN_ERROR(KILN_EINPUT, "--importance builtin: %s has none; use --importance permutation --data FILE",
                              m->algo->id);
        double *v = kiln_alloc(m->pipe->n_out, sizeof *v);
        if (!v)
            return KILN_ENOMEM;
        kiln_status s = m->algo->importance(m->est, v, m->pipe->n_out);
        if (s == KILN_OK)
            print_importances((const char *const *)m->pipe->out_names, v, m->pipe->n_out, o->format);
        free(v);
        return s;
    }
    if (strcmp(o->importance, "permutation") != 0)
        return KILN_ERROR(KILN_EINPUT, "--importance %s: expected builtin or permutation", o->importance);
    if (!o->data)
        return KILN_ERROR(KILN_EINPUT, "--importance permutation needs --data FILE (labelled rows)");
    kiln_frame *f;
    KILN_TRY(kiln_csv_read(o->data, NULL, &f));
    double *v = kiln_alloc(m->pipe->n_in, sizeof *v);
    const char **names = kiln_alloc(m->pipe->n_in, sizeof *names);
    kiln_status s = v && names ? kiln_model_permutation_importance(m, f, o->seed, (int)o->repeats, v) : KILN_ENOMEM;
    if (s == KILN_OK) {
        for (size_t i = 0; i < m->pipe->n_in; i++)
            names[i] = m->pipe->in[i].name;
        print_importances(names, v, m->pipe->n_in, o->format);
    }
    free(v);
    free(names);
    kiln_frame_free(f);
    return s;
}

/* One neighbour per line (or a JSON array): rank, training row, distance, its target. */
static void print_neighbors(const kiln_model *m, const size_t *idx, const double *dist, size_t k,
                            kiln_inspect_format fmt)
{
    const kiln_pipeline *p = m->pipe;
    kiln_json jj, *j = &jj;
    if (fmt == KILN_INSPECT_JSON) {
        kiln_json_init(j, stdout, 1);
        kiln_json_begin_array(j);
    } else {
        printf("%-5s %-10s %-14s %s\n", "rank", "train_row", "distance", p->target);
    }
    for (size_t r = 0; r < k; r++) {
        double t = kiln_knn_train_target(m->est, idx[r]);
        const char *label = p->task == KILN_TASK_CLASSIFY ? p->classes[(size_t)t] : NULL;
        if (fmt == KILN_INSPECT_JSON) {
            kiln_json_begin_object(j);
            kiln_json_key(j, "train_row");
            kiln_json_int(j, (long long)idx[r]);
            kiln_json_key(j, "distance");
            kiln_json_num(j, dist[r]);
            kiln_json_key(j, p->target);
            if (label)
                kiln_json_str(j, label);
            else
                kiln_json_num(j, t);
            kiln_json_end_object(j);
        } else if (label) {
            printf("%-5zu %-10zu %-14.6g %s\n", r + 1, idx[r], dist[r], label);
        } else {
            printf("%-5zu %-10zu %-14.6g %.10g\n", r + 1, idx[r], dist[r], t);
        }
    }
    if (fmt == KILN_INSPECT_JSON)
        kiln_json_end_array(j);
}

/* The query row in encoded units: row o->neighbors of --data (encoded by the
 * model's pipeline) or of the training rows. `X` keeps what it points into. */
static kiln_status neighbor_query(const kiln_model *m, const inspect_opts *o, kiln_mat **X, const double **row)
{
    *X = NULL;
    size_t n = kiln_knn_n_train(m->est);
    if (!o->data) {
        if ((size_t)o->neighbors >= n)
            return KILN_ERROR(KILN_EINPUT, "--neighbors %ld: the model holds %zu training rows (0..%zu)",
                              o->neighbors, n, n - 1);
        *row = kiln_knn_train_row(m->est, (size_t)o->neighbors);
        return KILN_OK;
    }
    kiln_frame *f;
    KILN_TRY(kiln_csv_read(o->data, NULL, &f));
    kiln_status s = KILN_OK;
    if ((size_t)o->neighbors >= f->nrows)
        s = KILN_ERROR(KILN_EINPUT, "--neighbors %ld: %s has %zu data rows (0..%zu)", o->neighbors, o->data,
                       f->nrows, f->nrows ? f->nrows - 1 : 0);
    if (s == KILN_OK)
        s = kiln_pipeline_transform(m->pipe, f, X, NULL);
    kiln_frame_free(f);
    if (s == KILN_OK)
        *row = (*X)->data + (size_t)o->neighbors * (*X)->stride;
    return s;
}

static kiln_status print_neighbors_of(const kiln_model *m, const inspect_opts *o)
{
    if (m->algo != &kiln_algo_knn)
        return KILN_ERROR(KILN_EINPUT, "--neighbors: the model is %s, not knn", m->algo->id);
    size_t n = kiln_knn_n_train(m->est);
    size_t k = o->k > 0 ? (size_t)o->k : (size_t)kiln_params_num(&m->params, "n_neighbors");
    if (k > n)
        return KILN_ERROR(KILN_EINPUT, "--k %zu: the model holds %zu training rows", k, n);
    kiln_mat *X;
    const double *row = NULL;
    KILN_TRY(neighbor_query(m, o, &X, &row));
    size_t *idx = kiln_alloc(k, sizeof *idx);
    double *dist = kiln_alloc(k, sizeof *dist);
    kiln_status s = idx && dist ? kiln_knn_neighbors(m->est, row, k, idx, dist) : KILN_ENOMEM;
    if (s == KILN_OK)
        print_neighbors(m, idx, dist, k, o->format);
    free(idx);
    free(dist);
    kiln_mat_free(X);
    return s;
}

static kiln_status parse_format(const char *text, kiln_inspect_format *out)
{
    static const char *const names[] = {"text", "json", "dot"};
    for (int i = 0; i < 3; i++)
        if (strcmp(text, names[i]) == 0) {
            *out = (kiln_inspect_format)i;
            return KILN_OK;
        }
    return KILN_ERROR(KILN_EINPUT, "--format %s: expected text, json or dot", text);
}

int cli_inspect(int argc, char **argv)
{
    inspect_opts o = {.tree = -1, .repeats = 5, .seed = 1, .neighbors = -1};
    int c;
    kiln_status s = KILN_OK;
    opterr = 0;
    while (s == KILN_OK && (c = getopt_long(argc, argv, ":", inspect_options, NULL)) != -1) {
        switch (c) {
        case OPT_FORMAT: s = parse_format(optarg, &o.format); break;
        case OPT_TREE: s = cli_parse_int("--tree", optarg, 0, 1L << 30, &o.tree); break;
        case OPT_IMPORTANCE: o.importance = optarg; break;
        case OPT_DATA: o.data = optarg; break;
        case OPT_REPEATS: s = cli_parse_int("--repeats", optarg, 1, 1000, &o.repeats); break;
        case OPT_SEED: s = cli_parse_u64("--seed", optarg, &o.seed); break;
        case OPT_NEIGHBORS: s = cli_parse_int("--neighbors", optarg, 0, LONG_MAX, &o.neighbors); break;
        case OPT_K: s = cli_parse_int("--k", optarg, 1, 1L << 30, &o.k); break;
        case OPT_HELP: fputs(inspect_help, stdout); return 0;
        case ':': return cli_usage_error("inspect", "%s needs a value", argv[optind - 1]);
        default: return cli_usage_error("inspect", "unknown option %s", argv[optind - 1]);
        }
    }
    if (s != KILN_OK)
        return cli_fail(s);
    if (argc - optind != 1)
        return cli_usage_error("inspect", "expected one MODEL file");
    kiln_model *m;
    if ((s = kiln_model_load(argv[optind], &m)) != KILN_OK)
        return cli_fail(s);
    if (o.neighbors >= 0)
        s = print_neighbors_of(m, &o);
    else
        s = o.importance ? print_importance(m, &o) : print_model(m, &o);
    kiln_model_free(m);
    return cli_fail(s);
}
