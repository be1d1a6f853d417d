#pragma once

#include <QHash>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace azid::test {

// A test server program (azid-sandbox, azid-msi-emulator) run for one test: started with a fresh
// --state-dir and --quiet, tied to the test's life (it ends even when the test crashes), and read
// until it prints its ready line. It reports itself in KEY=VALUE lines on stdout.
class ChildServer
{
public:
    ChildServer() = default;
    ~ChildServer();
    ChildServer(const ChildServer &) = delete;
    ChildServer &operator=(const ChildServer &) = delete;

    // Starts `program` and waits (at most 30 s) for `readyLine`; false with errorString() otherwise.
    bool start(const QString &program, const QStringList &arguments, const QByteArray &readyLine);
    // A KEY=VALUE line the program printed before it was ready.
    QString value(const QByteArray &key) const { return m_values.value(key); }
    QString errorString() const { return m_error; }

private:
    std::unique_ptr<QTemporaryDir> m_stateDir;
    QProcess m_process;
    QHash<QByteArray, QString> m_values;
    QString m_error;
};

} // namespace azid::test
