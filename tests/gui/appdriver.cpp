#include "appdriver.h"

#include "azid/ui/singleinstance.h"

#include <QJsonDocument>
#include <QtTest>

namespace azid::test {

bool AppDriver::start(const QString &program, QProcessEnvironment environment)
{
    environment.insert(QStringLiteral("AZID_TEST_HOOKS"), QStringLiteral("1"));
    environment.remove(QStringLiteral("QT_QPA_PLATFORM"));
    m_process.setProcessEnvironment(environment);
    m_process.setProcessChannelMode(QProcess::ForwardedChannels);
    m_process.start(program, {QStringLiteral("--profile"), m_profile});
    if (!m_process.waitForStarted(10000))
        return false;
    return QTest::qWaitFor([this] { return ok(command(QStringLiteral("ping"))); }, 20000);
}

void AppDriver::stop()
{
    m_hooks.abort();
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    if (!m_process.waitForFinished(10000))
        m_process.kill();
    m_process.waitForFinished(5000);
}

QString AppDriver::describe(const QJsonObject &answer)
{
    return QString::fromUtf8(QJsonDocument(answer).toJson(QJsonDocument::Compact));
}

QJsonObject AppDriver::hook(const QJsonObject &request)
{
    if (m_hooks.state() != QLocalSocket::ConnectedState) {
        m_hooks.connectToServer(ui::SingleInstance::socketPath(m_profile));
        if (!m_hooks.waitForConnected(2000))
            return {{QStringLiteral("ok"), false}, {QStringLiteral("error"), m_hooks.errorString()}};
    }
    m_hooks.write(QJsonDocument(request).toJson(QJsonDocument::Compact) + '\n');
    QByteArray line;
    while (!line.endsWith('\n')) {
        if (!m_hooks.waitForReadyRead(10000))
            return {{QStringLiteral("ok"), false}, {QStringLiteral("error"), QStringLiteral("no answer")}};
        line += m_hooks.readAll();
    }
    return QJsonDocument::fromJson(line).object();
}

QJsonObject AppDriver::command(const QString &cmd, const QJsonObject &arguments)
{
    QJsonObject request = arguments;
    request.insert(QStringLiteral("cmd"), cmd);
    return hook(request);
}

QJsonObject AppDriver::account(const QString &user)
{
    for (const QJsonValue &value : accounts()) {
        if (value.toObject().value(QStringLiteral("username")).toString() == user)
            return value.toObject();
    }
    return {};
}

bool AppDriver::menu(const QStringList &path)
{
    const QJsonObject answer =
        command(QStringLiteral("menu"), {{QStringLiteral("path"), QJsonArray::fromStringList(path)}});
    if (!ok(answer))
        qWarning("%s", qPrintable(describe(answer)));
    return ok(answer);
}

bool AppDriver::set(const QString &name, const QJsonValue &value)
{
    const QJsonObject answer =
        command(QStringLiteral("set"), {{QStringLiteral("name"), name}, {QStringLiteral("value"), value}});
    if (!ok(answer))
        qWarning("%s", qPrintable(describe(answer)));
    return ok(answer);
}

bool AppDriver::click(const QString &name)
{
    const QJsonObject answer = command(QStringLiteral("click"), {{QStringLiteral("name"), name}});
    if (!ok(answer))
        qWarning("%s", qPrintable(describe(answer)));
    return ok(answer);
}

QJsonObject AppDriver::get(const QString &name)
{
    return command(QStringLiteral("get"), {{QStringLiteral("name"), name}});
}

} // namespace azid::test
