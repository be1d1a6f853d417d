#include "testwait.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QFutureWatcher>
#include <QTimer>

namespace azid::test {

bool waitFor(const QFuture<void> &future, int limitMs)
{
    if (future.isFinished())
        return true;
    QEventLoop loop;
    QFutureWatcher<void> watcher;
    QObject::connect(&watcher, &QFutureWatcher<void>::finished, &loop, &QEventLoop::quit);
    watcher.setFuture(future);
    QTimer::singleShot(limitMs, &loop, &QEventLoop::quit);
    if (!future.isFinished())
        loop.exec();
    return future.isFinished();
}

} // namespace azid::test
