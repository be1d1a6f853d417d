#pragma once

#include <QFuture>
#include <QMutex>
#include <QPromise>

#include <functional>
#include <memory>
#include <utility>

namespace azid::detail {

// Runs asynchronous operations one after another: each starts when the one before it has finished
// (or was cancelled), in the thread that finished it.
class OperationQueue
{
public:
    template <typename T> QFuture<T> enqueue(std::function<QFuture<T>()> operation)
    {
        auto done = std::make_shared<QPromise<void>>();
        done->start();
        QFuture<void> previous;
        {
            QMutexLocker locker(&m_mutex);
            previous = std::exchange(m_tail, done->future());
        }
        // Not under the mutex: when `previous` has finished, the operation runs right here.
        QFuture<T> result =
            previous.then([operation = std::move(operation)] { return operation(); }).unwrap();
        result.then([done](const T &) { done->finish(); }).onCanceled([done] { done->finish(); });
        return result;
    }

private:
    QMutex m_mutex;
    QFuture<void> m_tail = QtFuture::makeReadyFuture();
};

} // namespace azid::detail
