#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace azid::test {

// What a program run by a test did: its exit code (-1 when it did not start or crashed), stdout
// and stderr.
struct ProcessRun
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;

    QJsonObject json() const; // stdout as a JSON object
    QString describe() const; // for a failure message: the exit code, stdout's start, stderr's end
};

// Runs `program` to its end (at most three minutes) with `input` on stdin.
ProcessRun runProcess(const QString &program, const QStringList &arguments,
                      const QProcessEnvironment &environment, const QByteArray &input = {},
                      const QString &workingDirectory = {});

} // namespace azid::test
