#pragma once

#include <QFuture>

#include <utility>

namespace azid {

// A future that has already finished with `value`: for the paths of an asynchronous operation that
// know their answer at once (an error found before any I/O, a value from memory).
template <typename T> QFuture<T> ready(T value)
{
    return QtFuture::makeReadyFuture(std::move(value));
}

} // namespace azid
