#pragma once

#include <QEventLoop>
#include <QFuture>
#include <QFutureWatcher>

namespace azid::cli {

// The command line waits for its results at the top, running the event loop meanwhile (the library
// itself never blocks). A cancelled future yields T's default value.
template <typename T> T wait(const QFuture<T> &future)
{
    if (!future.isFinished()) {
        QEventLoop loop;
        QFutureWatcher<T> watcher;
        QObject::connect(&watcher, &QFutureWatcher<T>::finished, &loop, &QEventLoop::quit);
        watcher.setFuture(future);
        if (!future.isFinished())
            loop.exec();
    }
    if (future.isCanceled() || future.resultCount() == 0)
        return T{};
    return future.result();
}

} // namespace azid::cli
