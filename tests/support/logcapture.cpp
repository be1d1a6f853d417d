#include "logcapture.h"

#include <QLoggingCategory>
#include <QMutexLocker>

namespace azid::test {

namespace {
QMutex s_mutex;
QStringList s_messages;
QtMessageHandler previousHandler = nullptr;

void capture(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        QMutexLocker lock(&s_mutex);
        s_messages.append(QString::fromLatin1(context.category ? context.category : "") +
                          QStringLiteral(": ") + message);
    }
    if (previousHandler && type != QtDebugMsg)
        previousHandler(type, context, message);
}
} // namespace

void LogCapture::install()
{
    QLoggingCategory::setFilterRules(QStringLiteral("azid.*=true"));
    previousHandler = qInstallMessageHandler(capture);
}

QStringList LogCapture::messages()
{
    QMutexLocker lock(&s_mutex);
    return s_messages;
}

QStringList LogCapture::find(const QString &needle)
{
    QStringList hits;
    if (needle.isEmpty())
        return hits;
    const QStringList all = messages();
    for (const QString &m : all) {
        if (m.contains(needle))
            hits.append(m);
    }
    return hits;
}

} // namespace azid::test
