#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QLocalSocket>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace azid::test {

// Runs the real tray app `azid` for a test and drives it through its test hooks (AZID_TEST_HOOKS=1),
// one JSON line per request over its single-instance socket: its state, its tray menu, the widgets
// of its windows by object name.
class AppDriver
{
public:
    explicit AppDriver(QString profile) : m_profile(std::move(profile)) {}
    ~AppDriver() { stop(); }

    // Starts `program` (azid) for the profile and waits until its hooks answer.
    bool start(const QString &program,
               QProcessEnvironment environment = QProcessEnvironment::systemEnvironment());
    void stop();

    QJsonObject command(const QString &cmd, const QJsonObject &arguments = {});
    static bool ok(const QJsonObject &answer) { return answer.value(QStringLiteral("ok")).toBool(); }
    static QString describe(const QJsonObject &answer);

    QJsonObject state() { return command(QStringLiteral("state")); }
    QJsonArray accounts() { return state().value(QStringLiteral("accounts")).toArray(); }
    // The account whose user name is `user`, as the hooks describe it; empty when there is none.
    QJsonObject account(const QString &user);
    bool hasAccount(const QString &user) { return !account(user).isEmpty(); }
    // Triggers the tray menu entry reached by `path` (each entry's text starts with its element).
    bool menu(const QStringList &path);
    bool set(const QString &name, const QJsonValue &value);
    bool click(const QString &name);
    QJsonObject get(const QString &name);

private:
    QJsonObject hook(const QJsonObject &request);

    QString m_profile;
    QProcess m_process;
    QLocalSocket m_hooks;
};

} // namespace azid::test
