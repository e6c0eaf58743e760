/* kiln/pipeline.h — preprocessing (PyCaret's defaults) and the whole saved model.
 *
 * A pipeline is fitted on training rows only and turns a raw frame into the
 * numeric matrix an estimator sees:
 *   numeric:      impute the training mean, keep the value;
 *   categorical:  impute the most frequent level; 2 levels -> one 0/1 column;
 *                 3..25 levels -> one-hot (an unseen level -> all zeros);
 *                 more -> target encoding (see docs/preprocessing.md);
 *   then, if asked, z-score or min-max scaling of every encoded column.
 * It also holds the target: its name, the task and the class names (sorted:
 * numerically when all labels are numbers, else as strings).
 *
 * A kiln_model is a pipeline plus a fitted estimator; it is what model files hold.
 *
 *     kiln_model *m;
 *     kiln_model_train(frame, NULL, "target", kiln_algo_find("lr"), &params, 0,
 *                      KILN_NORMALIZE_AUTO, &ctx, &m);
 *     kiln_model_save(m, "m.kiln");
 */
#ifndef KILN_PIPELINE_H
#define KILN_PIPELINE_H

#include "kiln/algo.h"
#include "kiln/frame.h"
#include "kiln/metrics.h"

typedef enum kiln_normalize {
    KILN_NORMALIZE_AUTO = 0,  /* z-score for estimators flagged KILN_ALGO_SCALE */
    KILN_NORMALIZE_NONE = 1,
    KILN_NORMALIZE_ZSCORE = 2,
    KILN_NORMALIZE_MINMAX = 3
} kiln_normalize;

typedef enum kiln_encoding {
    KILN_ENC_NUMERIC = 0,  /* numeric column: impute mean                     */
    KILN_ENC_BINARY = 1,   /* two levels: 0 for the first sorted level, 1 else */
    KILN_ENC_ONEHOT = 2,   /* one 0/1 column per level                        */
    KILN_ENC_TARGET = 3    /* smoothed target mean per level                  */
} kiln_encoding;

/* One raw input column and how it is encoded. */
typedef struct kiln_pipe_col {
    char *name;
    kiln_encoding enc;
    double impute;          /* NUMERIC: the mean; else the level index of the mode */
    char **levels;          /* categorical: the training levels, sorted        */
    size_t nlevels;
    double *level_value;    /* TARGET: the encoded value of each level; unseen -> prior */
    double prior;           /* TARGET: the value for an unseen level           */
    size_t first_out;       /* first output column                             */
    size_t n_out;           /* output columns it makes                         */
    /* Training summary for drift checks (kiln/drift.h): */
    double n_train;         /* non-missing training values                     */
    double *sketch;         /* NUMERIC: n_sketch sorted training values: all of
                             * them up to KILN_SKETCH_SIZE, else the order
                             * statistics of ranks floor((i + 0.5) n / n_sketch) */
    size_t n_sketch;
    double *level_count;    /* categorical: training rows of each level        */
} kiln_pipe_col;

#define KILN_SKETCH_SIZE 1000

typedef struct kiln_pipeline {
    char *target;
    kiln_task task;
    char **classes;         /* classification: class names, sorted            */
    size_t n_classes;
    size_t n_in;            /* raw feature columns                             */
    kiln_pipe_col *in;
    size_t n_out;           /* encoded feature columns                         */
    char **out_names;
    kiln_normalize normalize; /* NONE, ZSCORE or MINMAX once fitted           */
    double *shift, *scale;  /* n_out: x' = (x - shift) / scale                 */
    int has_summary;        /* 0 for model files written before the summary   */
} kiln_pipeline;

/* Infer the task from the target column: categorical -> classification;
 * numeric with whole values and at most 20 distinct -> classification; else
 * regression. */
kiln_task kiln_pipeline_infer_task(const kiln_frame *f, int target_col);

/* Fit on the frame's rows. task 0 = infer. `normalize` must not be AUTO here
 * (the caller resolves it from the estimator). */
kiln_status kiln_pipeline_fit(const kiln_frame *f, const char *target, kiln_task task,
                              kiln_normalize normalize, kiln_pipeline **out);
/* Keep the training-data summary of every input column (see kiln_pipe_col)
 * for drift checks; kiln_model_train does it, a cross-validation fold need
 * not (it costs a sort per numeric column). f holds the training rows; the
 * columns are summarised on up to `threads` threads (same result for any). */
kiln_status kiln_pipeline_summarize(kiln_pipeline *p, const kiln_frame *f, int threads);
/* kiln_pipeline_fit, also returning the frame's rows encoded and scaled (as
 * kiln_pipeline_transform would give them) without encoding them twice. */
kiln_status kiln_pipeline_fit_transform(const kiln_frame *f, const char *target, kiln_task task,
                                        kiln_normalize normalize, kiln_pipeline **out, kiln_mat **X, double **y);
/* Only the encoded target of every row (class indices for classification),
 * the task (inferred when `task` is 0) and the number of classes (0 for
 * regression): what a split needs to stratify. */
kiln_status kiln_pipeline_labels(const kiln_frame *f, const char *target, kiln_task task, kiln_task *task_out,
                                 size_t *n_classes, double **y);
/* Encode a frame: X gets n_out columns; y (may be NULL) gets the encoded target,
 * which must then be present. Errors name the file and the missing column. */
kiln_status kiln_pipeline_transform(const kiln_pipeline *p, const kiln_frame *f,
                                    kiln_mat **X, double **y);
void kiln_pipeline_free(kiln_pipeline *p);
kiln_status kiln_pipeline_save(const kiln_pipeline *p, kiln_writer *w);
kiln_status kiln_pipeline_load(kiln_pipeline **out, kiln_reader *r);
/* Print the steps and their fitted values (text or JSON). */
void kiln_pipeline_inspect(const kiln_pipeline *p, kiln_inspect_format fmt, FILE *out);
/* Rows of frame column c (n rows) in each training level of categorical
 * input pc: count[0..nlevels) by level, count[nlevels] unseen levels;
 * *missing gets the missing rows. A numeric frame column is matched by the
 * text of its numbers. */
kiln_status kiln_pipeline_level_counts(const kiln_pipe_col *pc, const kiln_column *c, size_t n, double *count,
                                       double *missing);
/* Map an encoded, scaled value of output column j back to original units. */
double kiln_pipeline_unscale(const void *pipeline, size_t j, double value);

typedef struct kiln_model {
    kiln_pipeline *pipe;
    const kiln_algo *algo;
    kiln_params params;
    uint64_t seed;
    void *est;
} kiln_model;

/* Resolve KILN_NORMALIZE_AUTO for an estimator. */
kiln_normalize kiln_normalize_for(const kiln_algo *a, kiln_normalize requested);

/* Fit the pipeline on `train`, then the estimator. `valid` (may be NULL) is
 * encoded by the same pipeline and handed to the estimator as ctx->valid. */
kiln_status kiln_model_train(const kiln_frame *train, const kiln_frame *valid, const char *target, const kiln_algo *a,
                             const kiln_params *p, kiln_task task, kiln_normalize normalize,
                             const kiln_ctx *ctx, kiln_model **out);
/* Scores for every row (see kiln/algo.h); y (may be NULL) gets the encoded target. */
kiln_status kiln_model_predict(const kiln_model *m, const kiln_frame *f, kiln_mat **scores, double **y);
/* Score a labelled frame: the task's metrics, and (if not NULL) the seconds the
 * prediction itself took. */
kiln_status kiln_model_evaluate(const kiln_model *m, const kiln_frame *f, kiln_metrics *out, double *predict_seconds);
/* Permutation importance of each raw input column (pipeline order): the drop
 * of the task's main metric (Accuracy or R2) when that column's values are
 * shuffled among the rows, averaged over `repeats` shuffles (Breiman 2001). */
kiln_status kiln_model_permutation_importance(const kiln_model *m, const kiln_frame *f, uint64_t seed, int repeats,
                                              double *out);
/* Columns of the score matrix: n_classes, or 1 for regression. */
size_t kiln_model_outputs(const kiln_model *m);
/* Write the model's sections into a writer (kiln_model_save commits it to a file). */
kiln_status kiln_model_write(const kiln_model *m, kiln_writer *w);
kiln_status kiln_model_save(const kiln_model *m, const char *path);
kiln_status kiln_model_load(const char *path, kiln_model **out);
void kiln_model_free(kiln_model *m);

#endif
