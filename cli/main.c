/* kiln — the command line: one subcommand per file, dispatched from here. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"

static const struct {
    const char *name;
    cli_command_fn run;
    const char *summary;
} commands[] = {
    {"train", cli_train, "fit one model on a CSV file, report held-out metrics, save it"},
    {"predict", cli_predict, "score a CSV file with a saved model"},
    {"eval", cli_eval, "metrics of a saved model on a labelled CSV file"},
    {"report", cli_report, "a self-contained HTML report of a saved model on held-out rows"},
    {"ab", cli_ab, "A/B test of two saved models on rows split at random between them"},
    {"drift", cli_drift, "per-feature drift of new data against the model's training data"},
    {"inspect", cli_inspect, "what a saved model learned: coefficients, trees, preprocessing"},
    {"compare", cli_compare, "cross-validate every estimator on the same folds, save the best"},
    {"tune", cli_tune, "search one estimator's hyperparameters by cross-validation"},
    {"runs", cli_runs, "list the run log of train, compare and tune"},
    {"models", cli_models, "the estimators, their parameters, defaults and ranges"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: kiln <command> [options]   (kiln <command> --help for its options)\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 1;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("kiln %s (model format %u)\n", KILN_VERSION, KILN_FORMAT_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "kiln: unknown command '%s' (kiln --help lists the commands)\n", argv[1]);
    return 1;
}
