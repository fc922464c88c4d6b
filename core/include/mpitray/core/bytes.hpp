#pragma once
// Byte buffers shared between frames, and the streambufs Boost archives read and write through.
// A frame read from a file or a message keeps one shared buffer; each of its objects is a view
// into it until someone decodes the object.
#include <algorithm>
#include <cstddef>
#include <memory>
#include <span>
#include <streambuf>
#include <type_traits>
#include <utility>
#include <vector>

namespace mpitray {

// Allocates like std::allocator, but leaves bytes a buffer grows by uninitialized: a buffer is
// resized to be written over at once (a received message, a message header, a file's frame), and
// zeroing it first would cost a pass over every byte (a megabyte frame's receive buffer was
// cleared, then overwritten). Whoever resizes a Buffer writes every byte it adds.
template <class T>
struct UninitializedAllocator : std::allocator<T> {
    template <class U>
    struct rebind {
        using other = UninitializedAllocator<U>;
    };
    UninitializedAllocator() = default;
    template <class U>
    UninitializedAllocator(const UninitializedAllocator<U>&) noexcept {}
    template <class U>
    void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
        ::new (static_cast<void*>(p)) U;  // default-initialized: for char, left as it is
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
};

using Buffer = std::vector<char, UninitializedAllocator<char>>;
using SharedBuffer = std::shared_ptr<const Buffer>;

// A range of bytes inside a shared buffer; keeps the buffer alive.
class ByteView {
public:
    ByteView() = default;
    ByteView(SharedBuffer owner, std::size_t offset, std::size_t size)
        : owner_(std::move(owner)), offset_(offset), size_(size) {}
    explicit ByteView(SharedBuffer whole) : owner_(std::move(whole)), offset_(0), size_(owner_ ? owner_->size() : 0) {}

    const char* data() const noexcept { return owner_ ? owner_->data() + offset_ : nullptr; }
    const SharedBuffer& owner() const noexcept { return owner_; }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return owner_ == nullptr; }
    std::span<const char> span() const noexcept { return {data(), size_}; }
    // A part of this view, sharing the same buffer.
    ByteView sub(std::size_t offset, std::size_t size) const { return ByteView(owner_, offset_ + offset, size); }

private:
    SharedBuffer owner_;
    std::size_t offset_ = 0;
    std::size_t size_ = 0;
};

// Appends a view's bytes to `out`. The view may point into `out` itself (a payload shared by two
// frames of one message): the bytes are copied after `out` has grown, from the view's offset,
// which stays right when the buffer moves, where vector::insert must not take its own elements.
inline void append_view(Buffer& out, const ByteView& view) {
    if (view.owner().get() != &out) {
        out.insert(out.end(), view.data(), view.data() + view.size());
        return;
    }
    const std::size_t at = out.size();
    const std::size_t n = view.size();
    out.resize(at + n);
    if (n) std::copy(view.data(), view.data() + n, out.data() + at);
}

// Whether two views hold the same bytes.
inline bool same_bytes(const ByteView& a, const ByteView& b) {
    return a.size() == b.size() && (a.size() == 0 || std::equal(a.data(), a.data() + a.size(), b.data()));
}

// Appends whatever is written to it to a Buffer; no intermediate string copies.
class AppendStreambuf : public std::streambuf {
public:
    explicit AppendStreambuf(Buffer& out) : out_(out) {}

protected:
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        out_.insert(out_.end(), s, s + n);
        return n;
    }
    int_type overflow(int_type ch) override {
        if (!traits_type::eq_int_type(ch, traits_type::eof())) out_.push_back(traits_type::to_char_type(ch));
        return traits_type::not_eof(ch);
    }

private:
    Buffer& out_;
};

// Reads from a span of bytes in place.
class ViewStreambuf : public std::streambuf {
public:
    explicit ViewStreambuf(std::span<const char> bytes) {
        char* begin = const_cast<char*>(bytes.data());  // streambuf's get area is never written
        setg(begin, begin, begin + bytes.size());
    }
};

}  // namespace mpitray
