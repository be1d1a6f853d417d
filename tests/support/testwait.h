#pragma once

#include <QFuture>

namespace azid::test {

// Runs the event loop until the future finishes. The limit only keeps a broken test from hanging
// CI; no test asserts on time.
bool waitFor(const QFuture<void> &future, int limitMs = 120000);

template <typename T> T await(const QFuture<T> &future, int limitMs = 120000)
{
    if (!waitFor(QFuture<void>(future), limitMs) || future.isCanceled() || future.resultCount() == 0)
        return T{};
    return future.result();
}

} // namespace azid::test
