/*
 * wb_grpc.c - run the Python grpcio peers of chapter 02 (see wb_grpc.h).
 */
#include "wb_grpc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PYTHON "/usr/bin/python3"

bool wb_grpc_make_stubs(char *dir, size_t dir_size, char *why, size_t why_size)
{
    char tmpl[] = "/tmp/wb-grpc-XXXXXX";
    if (!mkdtemp(tmpl) || strlen(tmpl) >= dir_size) {
        snprintf(why, why_size, "mkdtemp(/tmp/wb-grpc-XXXXXX) failed");
        return false;
    }
    snprintf(dir, dir_size, "%s", tmpl);

    char include[4200], out_py[200], out_grpc[200], proto[4200];
    snprintf(include, sizeof include, "-I%s", wb_chapter_path(""));
    snprintf(proto, sizeof proto, "%s", wb_chapter_path("greeter.proto"));
    snprintf(out_py, sizeof out_py, "--python_out=%s", dir);
    snprintf(out_grpc, sizeof out_grpc, "--grpc_python_out=%s", dir);
    char *argv[] = {"protoc", "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin",
                    out_grpc, out_py,
                    include,  proto,
                    NULL};
    struct wb_run_result r;
    int rc = wb_run(argv, NULL, 8000, &r);
    bool ok = rc == 0 && r.exit_code == 0;
    if (!ok)
        snprintf(why, why_size, "protoc could not make the Python stubs of %s: %s", proto,
                 r.output ? r.output : "");
    wb_run_result_free(&r);
    if (!ok)
        wb_grpc_remove_dir(dir);
    return ok;
}

void wb_grpc_remove_dir(const char *dir)
{
    if (!dir || strncmp(dir, "/tmp/wb-grpc-", 13) != 0)
        return;
    wb_remove_tree(dir);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    char *text = calloc(1, 65536);
    if (!text) {
        if (f)
            fclose(f);
        return NULL;
    }
    if (f) {
        size_t n = fread(text, 1, 65535, f);
        text[n] = '\0';
        fclose(f);
    }
    return text;
}

bool wb_grpc_server_start(struct wb_grpc_peer *peer, uint16_t port, int start_delay_ms, bool wait,
                          char *why, size_t why_size)
{
    memset(peer, 0, sizeof *peer);
    peer->pid = -1;
    if (!wb_grpc_make_stubs(peer->dir, sizeof peer->dir, why, why_size))
        return false;
    snprintf(peer->log, sizeof peer->log, "%s/server.log", peer->dir);

    char script[4200], port_arg[16], delay_arg[16], pythonpath[200];
    snprintf(script, sizeof script, "%s", wb_chapter_path("tests/peers/greeter_server.py"));
    snprintf(port_arg, sizeof port_arg, "%u", (unsigned)port);
    snprintf(delay_arg, sizeof delay_arg, "%d", start_delay_ms);
    snprintf(pythonpath, sizeof pythonpath, "PYTHONPATH=%s", peer->dir);
    char *argv[] = {PYTHON, "-u", script, port_arg, delay_arg, NULL};
    char *env[] = {pythonpath, "PYTHONDONTWRITEBYTECODE=1", NULL};
    peer->pid = wb_spawn(argv, env, peer->log);
    if (peer->pid < 0) {
        snprintf(why, why_size, "cannot start %s %s", PYTHON, script);
        wb_grpc_remove_dir(peer->dir);
        return false;
    }
    /* Without wait, still wait until Python has loaded grpc and begins its
     * start delay (several seconds on a loaded machine): the port then
     * opens start_delay_ms from now, not from an unknown later time. */
    const char *marker = wait ? "PORT " : "STARTING";
    int64_t deadline = wb_now_ms() + 8000;
    while (wb_now_ms() < deadline) {
        char *log = read_file(peer->log);
        const char *line = log ? strstr(log, marker) : NULL;
        unsigned got = 0;
        if (line && !wait) {
            peer->port = port;
            free(log);
            return true;
        }
        if (line && sscanf(line, "PORT %u", &got) == 1 && got > 0) {
            peer->port = (uint16_t)got;
            free(log);
            return true;
        }
        free(log);
        usleep(20000);
    }
    char *log = read_file(peer->log);
    snprintf(why, why_size, "the Python peer server did not %s within 8 s; its output: %s",
             wait ? "report its port" : "start", log ? log : "");
    free(log);
    wb_grpc_server_stop(peer);
    return false;
}

char *wb_grpc_server_log(const struct wb_grpc_peer *peer)
{
    return read_file(peer->log);
}

void wb_grpc_server_stop(struct wb_grpc_peer *peer)
{
    if (peer->pid > 0)
        wb_stop(peer->pid);
    peer->pid = -1;
    if (peer->dir[0])
        wb_grpc_remove_dir(peer->dir);
    peer->dir[0] = '\0';
}

int wb_grpc_client_run(char *const args[], int timeout_ms, struct wb_run_result *result)
{
    char dir[128], why[512];
    if (!wb_grpc_make_stubs(dir, sizeof dir, why, sizeof why)) {
        memset(result, 0, sizeof *result);
        result->exit_code = -1;
        size_t len = strlen(why);
        result->output = malloc(len + 1);
        if (result->output)
            memcpy(result->output, why, len + 1);
        result->output_len = result->output ? len : 0;
        return -1;
    }
    char script[4200], pythonpath[200];
    snprintf(script, sizeof script, "%s", wb_chapter_path("tests/peers/greeter_client.py"));
    snprintf(pythonpath, sizeof pythonpath, "PYTHONPATH=%s", dir);
    char *argv[64] = {PYTHON, "-u", script};
    size_t n = 3;
    for (size_t i = 0; args[i] && n < 63; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    char *env[] = {pythonpath, "PYTHONDONTWRITEBYTECODE=1", NULL};
    int rc = wb_run(argv, env, timeout_ms, result);
    /* gRPC 1.51 reads connect()'s errno only after other calls, so a
     * connect to a server that listens now and then fails with a stale errno
     * ("failed to connect to all addresses ... No such file or directory";
     * later gRPC keeps the errno at once). That says nothing about the
     * server, so the client runs once more; a server that is really gone
     * fails it again. */
    if (rc == 0 && result->output && strstr(result->output, WB_GRPC_CONNECT_FAILED)) {
        wb_run_result_free(result);
        usleep(200 * 1000);
        rc = wb_run(argv, env, timeout_ms, result);
    }
    wb_grpc_remove_dir(dir);
    return rc;
}

char *wb_grpc_call_output(const char *output, int call)
{
    char marker[32];
    snprintf(marker, sizeof marker, "CALL %d\n", call);
    const char *start = NULL;
    for (const char *line = output; line && *line;
         line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (strncmp(line, marker, strlen(marker)) == 0) {
            start = line + strlen(marker);
            break;
        }
    const char *end = start;
    while (end && *end && strncmp(end, "CALL ", 5) != 0)
        end = strchr(end, '\n') ? strchr(end, '\n') + 1 : end + strlen(end);
    return start ? strndup(start, (size_t)(end - start)) : strdup("");
}
