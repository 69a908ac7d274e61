/* Running an experiment's points: a bounded pool of child processes (fork/exec of this
 * binary, one `mmulab demo|trace ... --json OUT/points/NNNNNN.json` per point, its output in
 * NNNNNN.log), with a progress bar on a terminal and one line per point otherwise.
 * A failing point stops the launching of new ones; the running ones are waited for. */
#include "backend.h"
#include "exp.h"

#include "hostclock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static int mkdir_p(const char *dir, char *err)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
        exp_errf(err, "%s: path too long", dir);
        return -1;
    }
    for (char *p = path + 1; ; p++) {
        if (*p == '/' || !*p) {
            char c = *p;
            *p = 0;
            if (mkdir(path, 0777) != 0 && errno != EEXIST) {
                exp_errf(err, "cannot create %s: %s", path, strerror(errno));
                return -1;
            }
            struct stat st;
            if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
                exp_errf(err, "cannot create %s: %s is not a directory", dir, path);
                return -1;
            }
            *p = c;
            if (!c)
                break;
        }
    }
    return 0;
}

int exp_write_text(const char *path, const char *text, char *err)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        exp_errf(err, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    bool ok = fputs(text, f) >= 0;
    ok = (fclose(f) == 0) && ok;
    if (!ok) {
        exp_errf(err, "cannot write %s", path);
        return -1;
    }
    return 0;
}

int exp_prepare_dir(const char *dir, char *err)
{
    char points[4200];
    snprintf(points, sizeof points, "%s/points", dir);
    return mkdir_p(points, err);
}

/* Removes the point files of an earlier run from OUT/points/, so a directory only ever
 * holds the points of its last run (merge counts every point exactly once). */
static int clear_points(const char *dir, char *err)
{
    char points[4200];
    snprintf(points, sizeof points, "%s/points", dir);
    DIR *d = opendir(points);
    if (!d) {
        exp_errf(err, "cannot read %s: %s", points, strerror(errno));
        return -1;
    }
    struct dirent *ent;
    int rc = 0;
    while ((ent = readdir(d))) {
        size_t len = strlen(ent->d_name);
        bool ours = len > 5 && strspn(ent->d_name, "0123456789") == 6 &&
                    (!strcmp(ent->d_name + 6, ".json") || !strcmp(ent->d_name + 6, ".log"));
        if (!ours)
            continue;
        char path[4500];
        snprintf(path, sizeof path, "%s/%s", points, ent->d_name);
        if (unlink(path) != 0) {
            exp_errf(err, "cannot remove %s: %s", path, strerror(errno));
            rc = -1;
            break;
        }
    }
    closedir(d);
    return rc;
}

static pid_t spawn(char **argv, const char *log_path)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0) {
        perror(log_path);
        _exit(126);
    }
    close(fd);
    execv(argv[0], argv);
    fprintf(stderr, "mmulab exp: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

static void progress(const exp_run_opts_t *o, const char *name, size_t done, size_t total, double t0,
                     size_t point)
{
    const double elapsed = host_seconds() - t0;
    const double eta = done ? elapsed / (double)done * (double)(total - done) : 0;
    if (o->progress_bar) {
        const int width = 30;
        int filled = total ? (int)((double)width * (double)done / (double)total) : width;
        fprintf(stderr, "\rexp %s: [%.*s%*s] %zu/%zu points, %.0f s, ETA %.0f s ", name, filled,
                "##############################", width - filled, "", done, total, elapsed, eta);
        if (done == total)
            fputc('\n', stderr);
    } else {
        fprintf(stderr, "exp %s: point %zu done (%zu/%zu, %.1f s, ETA %.0f s)\n", name, point, done, total,
                elapsed, eta);
    }
    fflush(stderr);
}

int exp_run_points(const exp_t *e, const exp_run_opts_t *o, char *err)
{
    char path[4200];
    if (exp_prepare_dir(o->out_dir, err) != 0 || clear_points(o->out_dir, err) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/experiment.ini", o->out_dir);
    if (exp_write_text(path, e->text, err) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/overrides.ini", o->out_dir);
    if (exp_write_text(path, e->overrides ? e->overrides : "", err) != 0)
        return -1;

    size_t npoints, ngroups;
    exp_point_t *pts = exp_expand(e, &npoints, &ngroups);
    size_t *mine = malloc((npoints ? npoints : 1) * sizeof *mine), nmine = 0;
    for (size_t i = 0; i < npoints; i++)
        if (exp_in_shard(i, o->shard_k, o->shard_n))
            mine[nmine++] = i;
    const unsigned jobs = o->jobs ? o->jobs : 1;
    pid_t *running = calloc(jobs, sizeof *running);
    size_t *running_point = calloc(jobs, sizeof *running_point);
    if (!mine || !running || !running_point) {
        fputs("mmulab: out of memory\n", stderr);
        abort();
    }
    const double t0 = host_seconds();
    size_t next = 0, done = 0, active = 0;
    int rc = 0;
    if (o->progress_bar && nmine)
        progress(o, e->name, 0, nmine, t0, 0);
    while ((rc == 0 && next < nmine) || active) {
        while (rc == 0 && next < nmine && active < jobs) {
            const size_t idx = mine[next++];
            char json[4200], log_path[4200];
            snprintf(json, sizeof json, "%s/points/%06zu.json", o->out_dir, idx);
            snprintf(log_path, sizeof log_path, "%s/points/%06zu.log", o->out_dir, idx);
            char **argv = exp_point_argv(e, &pts[idx], o->exe, json);
            pid_t pid = spawn(argv, log_path);
            exp_argv_free(argv);
            if (pid < 0) {
                exp_errf(err, "cannot start point %zu: %s", idx, strerror(errno));
                rc = -1;
                break;
            }
            unsigned slot = 0;
            while (running[slot])
                slot++;
            running[slot] = pid;
            running_point[slot] = idx;
            active++;
        }
        if (!active)
            break;
        int status;
        pid_t pid = wait(&status);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            exp_errf(err, "wait: %s", strerror(errno));
            rc = -1;
            break;
        }
        unsigned slot = 0;
        while (slot < jobs && running[slot] != pid)
            slot++;
        if (slot == jobs)
            continue;   /* not one of ours */
        running[slot] = 0;
        active--;
        const size_t idx = running_point[slot];
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            if (o->progress_bar)
                fputc('\n', stderr);
            char **argv = exp_point_argv(e, &pts[idx], "mmulab", NULL);
            fprintf(stderr, "mmulab exp: point %zu failed (%s %d); its output: %s/points/%06zu.log\n  command:",
                    idx, WIFEXITED(status) ? "exit" : "signal",
                    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), o->out_dir, idx);
            for (char **a = argv; *a; a++)
                fprintf(stderr, " %s", *a);
            fputc('\n', stderr);
            exp_argv_free(argv);
            if (rc == 0)
                exp_errf(err, "point %zu failed (see %s/points/%06zu.log)", idx, o->out_dir, idx);
            rc = -1;
            continue;
        }
        done++;
        if (rc == 0)
            progress(o, e->name, done, nmine, t0, idx);
    }
    free(mine);
    free(running);
    free(running_point);
    exp_points_free(pts, npoints);
    return rc;
}

int exp_lockstep_verdict(const exp_t *e, const exp_run_opts_t *o, FILE *out)
{
    const char *backend = NULL;
    for (size_t i = 0; i < e->nfixed; i++)
        if (!strcmp(e->fixed[i].key, "backend"))
            backend = e->fixed[i].values[0];
    if (!backend || strcmp(backend, "cosim"))
        return 0;
    size_t npoints, ngroups, ran = 0, agreed = 0;
    exp_point_t *pts = exp_expand(e, &npoints, &ngroups);
    exp_points_free(pts, npoints);
    /* `mmulab demo --backend cosim` prints this line only when the whole run agreed (demo.c) */
    static const char agree[] = BACKEND_LOCKSTEP_AGREED;
    for (size_t i = 0; i < npoints; i++) {
        if (!exp_in_shard(i, o->shard_k, o->shard_n))
            continue;
        ran++;
        char path[4200], line[512];
        snprintf(path, sizeof path, "%s/points/%06zu.log", o->out_dir, i);
        FILE *f = fopen(path, "r");
        bool ok = false;
        while (f && !ok && fgets(line, sizeof line, f))
            ok = !strncmp(line, agree, sizeof agree - 1);
        if (f)
            fclose(f);
        if (ok)
            agreed++;
        else
            fprintf(out, "lockstep: point %zu has no agreement line: %s\n", i, path);
    }
    fprintf(out, "lockstep: %zu of %zu points: model and RTL agreed on every result field and cycle, every "
                 "walker memory operation, and the final memory image\n", agreed, ran);
    return agreed == ran ? 0 : -1;
}
