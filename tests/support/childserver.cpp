#include "childserver.h"

#include <QDeadlineTimer>
#include <QFileInfo>

#include <csignal>
#include <sys/prctl.h>

namespace azid::test {

ChildServer::~ChildServer()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate();
        if (!m_process.waitForFinished(5000))
            m_process.kill();
        m_process.waitForFinished(5000);
    }
}

bool ChildServer::start(const QString &program, const QStringList &arguments, const QByteArray &readyLine)
{
    const QString name = QFileInfo(program).fileName();
    m_stateDir = std::make_unique<QTemporaryDir>();
    m_process.setProgram(program);
    m_process.setArguments(
        QStringList{QStringLiteral("--state-dir"), m_stateDir->path(), QStringLiteral("--quiet")} +
        arguments);
    m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process.setChildProcessModifier([]() { prctl(PR_SET_PDEATHSIG, SIGTERM); });
    m_process.start();
    if (!m_process.waitForStarted(10000)) {
        m_error = name + QStringLiteral(" did not start: ") + m_process.errorString();
        return false;
    }
    QDeadlineTimer deadline(30000);
    QByteArray output;
    while (!deadline.hasExpired()) {
        if (!m_process.waitForReadyRead(static_cast<int>(deadline.remainingTime())))
            break;
        output += m_process.readAllStandardOutput();
        for (const QByteArray &line : output.split('\n')) {
            const qsizetype equals = line.indexOf('=');
            if (equals > 0)
                m_values.insert(line.left(equals), QString::fromUtf8(line.mid(equals + 1).trimmed()));
        }
        if (output.contains(readyLine))
            return true;
    }
    m_error = name + QStringLiteral(" did not report ready; it printed: ") + QString::fromUtf8(output);
    return false;
}

} // namespace azid::test
