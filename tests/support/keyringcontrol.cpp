#include "keyringcontrol.h"

#include <QProcess>
#include <QTest>

namespace azid::test::keyring {

namespace {
const QString Collection = QStringLiteral("/org/freedesktop/secrets/collection/login");
} // namespace

QByteArray run(const QString &program, const QStringList &arguments, const QByteArray &input)
{
    QProcess process;
    process.start(program, arguments);
    if (!process.waitForStarted(10000))
        return QByteArrayLiteral("<did not start>");
    process.write(input);
    process.closeWriteChannel();
    process.waitForFinished(120000);
    return process.readAllStandardOutput() + process.readAllStandardError();
}

bool isLocked()
{
    return run(QStringLiteral("dbus-send"),
               {QStringLiteral("--session"), QStringLiteral("--print-reply"),
                QStringLiteral("--dest=org.freedesktop.secrets"), Collection,
                QStringLiteral("org.freedesktop.DBus.Properties.Get"),
                QStringLiteral("string:org.freedesktop.Secret.Collection"), QStringLiteral("string:Locked")})
        .contains("boolean true");
}

bool lock()
{
    const QByteArray reply =
        run(QStringLiteral("dbus-send"),
            {QStringLiteral("--session"), QStringLiteral("--print-reply"),
             QStringLiteral("--dest=org.freedesktop.secrets"), QStringLiteral("/org/freedesktop/secrets"),
             QStringLiteral("org.freedesktop.Secret.Service.Lock"),
             QStringLiteral("array:objpath:") + Collection});
    if (isLocked())
        return true;
    qWarning("the keyring did not lock: %s", reply.constData());
    return false;
}

bool unlock(const QString &script)
{
    const QByteArray output = run(script, {});
    if (QTest::qWaitFor([] { return !isLocked(); }, 20000))
        return true;
    qWarning("the keyring did not unlock: %s", output.constData());
    return false;
}

} // namespace azid::test::keyring
