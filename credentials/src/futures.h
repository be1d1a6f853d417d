#pragma once

#include <QFuture>
#include <QPromise>

namespace azid::detail {

template <typename T>
QFuture<T> ready(T value)
{
    QPromise<T> promise;
    promise.start();
    promise.addResult(std::move(value));
    promise.finish();
    return promise.future();
}

} // namespace azid::detail
