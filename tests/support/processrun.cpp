#include "processrun.h"

#include <QJsonDocument>
#include <QProcess>

namespace azid::test {

QJsonObject ProcessRun::json() const
{
    return QJsonDocument::fromJson(out).object();
}

QString ProcessRun::describe() const
{
    return QStringLiteral("exit %1, stdout: %2, stderr: %3")
        .arg(exitCode)
        .arg(QString::fromUtf8(out.left(400)), QString::fromUtf8(err.right(1500)));
}

ProcessRun runProcess(const QString &program, const QStringList &arguments,
                      const QProcessEnvironment &environment, const QByteArray &input,
                      const QString &workingDirectory)
{
    QProcess process;
    process.setProcessEnvironment(environment);
    if (!workingDirectory.isEmpty())
        process.setWorkingDirectory(workingDirectory);
    process.start(program, arguments);
    if (!process.waitForStarted(10000))
        return {-1, {}, process.errorString().toUtf8()};
    process.write(input);
    process.closeWriteChannel();
    process.waitForFinished(180000);
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            process.readAllStandardOutput(), process.readAllStandardError()};
}

} // namespace azid::test
