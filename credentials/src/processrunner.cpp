#include "azid/processrunner.h"

#include "azid/boundedfile.h"

#include "logging.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QProcess>
#include <QPromise>
#include <QStandardPaths>
#include <QTimer>

#ifdef Q_OS_UNIX
#include <csignal>
#include <sys/types.h>
#include <unistd.h>
#endif

namespace azid {
namespace {

// The PATH lookup is done here, against the program's own environment: QProcess would search this
// process's PATH instead.
QString findProgram(const QString &program, const QProcessEnvironment &environment)
{
    if (program.isEmpty())
        return {};
    if (program.contains(QLatin1Char('/')) || program.contains(QDir::separator())) {
        const QFileInfo file(program);
        return file.isFile() && file.isExecutable() ? file.absoluteFilePath() : QString();
    }
    if (!environment.contains(QStringLiteral("PATH")))
        return QStandardPaths::findExecutable(program);
    const QStringList paths =
        environment.value(QStringLiteral("PATH")).split(QDir::listSeparator(), Qt::SkipEmptyParts);
    if (paths.isEmpty())
        return {};
    return QStandardPaths::findExecutable(program, paths);
}

// Kills the program and everything it started: it leads a process group of its own.
void killProcessTree(QProcess *process)
{
#ifdef Q_OS_UNIX
    const qint64 pid = process->processId();
    if (pid > 0)
        ::kill(-static_cast<pid_t>(pid), SIGKILL);
#endif
    process->kill();
}

// A process for the program at `path`, set up as the request says; not started. Its stdin is empty.
QProcess *newProcess(const QString &path, const ProcessRequest &request)
{
    auto *process = new QProcess;
    process->setProgram(path);
    process->setArguments(request.arguments);
    process->setProcessEnvironment(request.environment);
    if (!request.workingDirectory.isEmpty())
        process->setWorkingDirectory(request.workingDirectory);
    process->setStandardInputFile(QProcess::nullDevice());
    process->setProcessChannelMode(QProcess::SeparateChannels);
#ifdef Q_OS_UNIX
    process->setChildProcessModifier([] { ::setpgid(0, 0); });
#endif
    return process;
}

class QtProcessRunner final : public ProcessRunner
{
public:
    ~QtProcessRunner() override;
    QFuture<ProcessOutcome> run(const ProcessRequest &request) override;

private:
    struct Run
    {
        QPromise<ProcessOutcome> promise;
        QString program;
        bool done = false;

        void finish(ProcessOutcome outcome)
        {
            if (done)
                return;
            done = true;
            promise.addResult(std::move(outcome));
            promise.finish();
        }
    };

    void reportEnd(QProcess *process, const std::shared_ptr<Run> &run);
    static void limitOutput(QProcess *process, const std::shared_ptr<Run> &run);
    static void killAfter(QProcess *process, const std::shared_ptr<Run> &run,
                          std::chrono::milliseconds timeout);

    // The processes still running (or not yet reaped), each with its pending result.
    QHash<QProcess *, std::shared_ptr<Run>> m_running;
};

QtProcessRunner::~QtProcessRunner()
{
    for (auto it = m_running.begin(); it != m_running.end(); ++it) {
        QProcess *process = it.key();
        process->disconnect();
        // Reaped asynchronously: destroying a running QProcess would wait for it.
        QObject::connect(process, &QProcess::finished, process, &QObject::deleteLater);
        killProcessTree(process);
        // Reported from the event loop, not from here: the runner's owner is likely being destroyed
        // too, and the future's continuations must not run in the middle of that.
        QTimer::singleShot(0, [run = it.value()] {
            ProcessOutcome outcome;
            outcome.status = ProcessOutcome::Status::Abandoned;
            outcome.program = run->program;
            run->finish(std::move(outcome));
        });
    }
}

QFuture<ProcessOutcome> QtProcessRunner::run(const ProcessRequest &request)
{
    auto run = std::make_shared<Run>();
    run->promise.start();
    QFuture<ProcessOutcome> future = run->promise.future();

    const QString path = findProgram(request.program, request.environment);
    if (path.isEmpty()) {
        qCDebug(lcCredentials) << "Program not found on PATH:" << request.program;
        ProcessOutcome outcome;
        outcome.status = ProcessOutcome::Status::NotFound;
        outcome.program = request.program;
        run->finish(std::move(outcome));
        return future;
    }
    run->program = path;

    QProcess *process = newProcess(path, request);
    m_running.insert(process, run);
    reportEnd(process, run);
    limitOutput(process, run);
    if (request.timeout.count() > 0)
        killAfter(process, run, request.timeout);

    qCDebug(lcCredentials) << "Running" << path << request.arguments;
    process->start();
    return future;
}

// Finishes the run when the process could not start or when it ended, and lets the process go.
void QtProcessRunner::reportEnd(QProcess *process, const std::shared_ptr<Run> &run)
{
    // Removes the process from the running set and deletes it once the event loop gets to it.
    auto release = [this, process] {
        m_running.remove(process);
        process->disconnect();
        process->deleteLater();
    };

    QObject::connect(
        process, &QProcess::errorOccurred, process, [run, process, release](QProcess::ProcessError error) {
            if (error != QProcess::FailedToStart)
                return; // the other errors end in finished()
            ProcessOutcome outcome;
            outcome.status = ProcessOutcome::Status::FailedToStart;
            outcome.program = run->program;
            outcome.errorString = process->errorString();
            qCDebug(lcCredentials) << "Could not start" << run->program << ":" << outcome.errorString;
            run->finish(std::move(outcome));
            release();
        });
    QObject::connect(process, &QProcess::finished, process,
                     [run, process, release](int exitCode, QProcess::ExitStatus exitStatus) {
                         ProcessOutcome outcome;
                         outcome.status = exitStatus == QProcess::NormalExit
                                              ? ProcessOutcome::Status::Finished
                                              : ProcessOutcome::Status::Crashed;
                         outcome.exitCode = exitStatus == QProcess::NormalExit ? exitCode : -1;
                         outcome.program = run->program;
                         outcome.standardOutput = Secret(process->readAllStandardOutput());
                         outcome.standardError = process->readAllStandardError();
                         qCDebug(lcCredentials) << run->program << "exited with" << outcome.exitCode
                                                << (exitStatus == QProcess::NormalExit ? "" : "(crashed)");
                         run->finish(std::move(outcome));
                         release();
                     });
}

// Kills the process tree once it has printed more than MaxToolOutputBytes on either channel: no tool
// prints that much for a token, and the output is buffered whole.
void QtProcessRunner::limitOutput(QProcess *process, const std::shared_ptr<Run> &run)
{
    const auto check = [run, process] {
        process->setReadChannel(QProcess::StandardOutput);
        const qint64 out = process->bytesAvailable();
        process->setReadChannel(QProcess::StandardError);
        const qint64 err = process->bytesAvailable();
        process->setReadChannel(QProcess::StandardOutput);
        if (out <= MaxToolOutputBytes && err <= MaxToolOutputBytes)
            return;
        qCDebug(lcCredentials) << run->program << "printed more than" << MaxToolOutputBytes
                               << "bytes; killing it";
        killProcessTree(process);
        ProcessOutcome outcome;
        outcome.status = ProcessOutcome::Status::TooMuchOutput;
        outcome.program = run->program;
        run->finish(std::move(outcome));
    };
    QObject::connect(process, &QProcess::readyReadStandardOutput, process, check);
    QObject::connect(process, &QProcess::readyReadStandardError, process, check);
}

// Kills the process tree once the timeout has passed and finishes the run as timed out.
void QtProcessRunner::killAfter(QProcess *process, const std::shared_ptr<Run> &run,
                                std::chrono::milliseconds timeout)
{
    auto *timer = new QTimer(process);
    timer->setSingleShot(true);
    QObject::connect(timer, &QTimer::timeout, process, [run, process, timeout] {
        qCDebug(lcCredentials) << run->program << "did not finish within" << timeout.count()
                               << "ms; killing it";
        killProcessTree(process);
        ProcessOutcome outcome;
        outcome.status = ProcessOutcome::Status::TimedOut;
        outcome.program = run->program;
        outcome.standardError = process->readAllStandardError();
        run->finish(std::move(outcome));
        // finished() follows once the killed process is reaped, and releases it.
    });
    timer->start(timeout);
}

} // namespace

std::shared_ptr<ProcessRunner> ProcessRunner::createDefault()
{
    return std::make_shared<QtProcessRunner>();
}

} // namespace azid
