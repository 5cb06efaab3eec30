// Owning handles for libgit2 objects, so that every early return frees what it opened.
#pragma once

#include <memory>

#include <git2.h>

namespace cairn::git {

template <class T, void (*Free)(T*)>
struct Freer {
  void operator()(T* p) const {
    if (p != nullptr) Free(p);
  }
};

template <class T, void (*Free)(T*)>
using Handle = std::unique_ptr<T, Freer<T, Free>>;

using ObjectHandle = Handle<git_object, git_object_free>;
using CommitHandle = Handle<git_commit, git_commit_free>;
using TreeHandle = Handle<git_tree, git_tree_free>;
using TreeEntryHandle = Handle<git_tree_entry, git_tree_entry_free>;
using BlobHandle = Handle<git_blob, git_blob_free>;
using RemoteHandle = Handle<git_remote, git_remote_free>;
using StatusListHandle = Handle<git_status_list, git_status_list_free>;

/// Initialises libgit2 once per process (it is never shut down: the process ends first).
void EnsureLibgit2();

}  // namespace cairn::git
