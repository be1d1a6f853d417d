#pragma once

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>

#include <utility>

namespace azid::model {

// Calls `callback` with the future's result on `context`'s thread, from the event loop (never
// synchronously, even when the future has already finished), unless `context` is gone by then. A
// cancelled future yields T's default value (for Result<T>: an error).
template <typename T, typename F> void whenReady(const QFuture<T> &future, QObject *context, F callback)
{
    auto *watcher = new QFutureWatcher<T>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, context,
                     [watcher, callback = std::move(callback)]() mutable {
                         const QFuture<T> done = watcher->future();
                         watcher->deleteLater();
                         if (done.isCanceled() || done.resultCount() == 0)
                             callback(T{});
                         else
                             callback(done.result());
                     });
    watcher->setFuture(future);
}

} // namespace azid::model
