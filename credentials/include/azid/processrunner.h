#pragma once

#include "azid/secret.h"

#include <QByteArray>
#include <QFuture>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <chrono>
#include <memory>

namespace azid {

// One run of a program, as the developer-tool credentials (Azure CLI, Azure Developer CLI, Azure
// PowerShell) ask for it. Programs are started directly, never through a shell.
struct ProcessRequest
{
    QString program;                          // a name looked up on the PATH of `environment`, or a path
    QStringList arguments;                    // passed as they are: no shell parses them
    QProcessEnvironment environment;          // the program's whole environment; its PATH is the one searched
    QString workingDirectory;                 // empty: this process's
    std::chrono::milliseconds timeout{10000}; // then the program (and whatever it started) is killed
};

struct ProcessOutcome
{
    enum class Status {
        Finished,      // the program ran and exited; see exitCode
        NotFound,      // no such program on PATH
        FailedToStart, // found, but the system could not start it; see errorString
        Crashed,       // it ended on a signal
        TimedOut,      // it did not finish within the timeout and was killed
        Abandoned,     // the runner was destroyed while it ran; it was killed
        TooMuchOutput, // it printed more than MaxToolOutputBytes (azid/boundedfile.h); it was killed
    };
    Status status = Status::FailedToStart;
    int exitCode = -1;
    QString program;       // the path that ran, or the name that was not found
    Secret standardOutput; // the tools print tokens here
    QByteArray standardError;
    QString errorString; // what the system said when the program could not start
};

// Runs programs for the credentials that ask developer tools for tokens. The application may inject
// its own (to run tools elsewhere, or to record what runs); tests can replace it.
class ProcessRunner
{
public:
    virtual ~ProcessRunner() = default;

    // Never blocks: the future finishes on the thread that called run(), from its event loop.
    virtual QFuture<ProcessOutcome> run(const ProcessRequest &request) = 0;

    // The real thing: QProcess with stdin closed, stdout and stderr captured apart, each program in
    // a process group of its own so that a timeout kills everything it started. Programs still
    // running when the runner is destroyed are killed. Use it from the thread that created it.
    static std::shared_ptr<ProcessRunner> createDefault();
};

} // namespace azid
