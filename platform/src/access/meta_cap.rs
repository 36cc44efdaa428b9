//! Meta capabilities: a question about one object ("may this user edit post 42?") mapped to
//! the primitive capabilities it needs, the way WordPress's `map_meta_cap()` does it.

use tenants::UserId;

/// What the mapping needs to know of a post. `post_type` picks the capability family:
/// `page` uses `*_pages`, every other type `*_posts` (WordPress's `capability_type`).
#[derive(Debug, Clone, Copy)]
pub struct PostFacts<'a> {
    pub author: UserId,
    pub status: &'a str,
    pub post_type: &'a str,
}

/// A question about one object.
#[derive(Debug, Clone, Copy)]
pub enum MetaCap<'a> {
    EditPost(PostFacts<'a>),
    DeletePost(PostFacts<'a>),
    ReadPost(PostFacts<'a>),
    PublishPost(PostFacts<'a>),
    EditUser(UserId),
    DeleteUser(UserId),
    PromoteUser(UserId),
    RemoveUser(UserId),
}

/// What a primitive check looks like after mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Required {
    /// All of these capabilities.
    All(Vec<String>),
    /// Nobody may (WordPress's `do_not_allow`).
    Nobody,
}

fn family(post_type: &str) -> &'static str {
    if post_type == "page" { "pages" } else { "posts" }
}

fn caps(names: &[String]) -> Required {
    Required::All(names.to_vec())
}

/// Maps a meta capability for `user` to primitive capabilities.
pub fn map_meta_cap(meta: MetaCap<'_>, user: UserId) -> Required {
    match meta {
        MetaCap::EditPost(post) | MetaCap::DeletePost(post) => {
            let verb = if matches!(meta, MetaCap::EditPost(_)) {
                "edit"
            } else {
                "delete"
            };
            let f = family(post.post_type);
            let published = matches!(post.status, "publish" | "future");
            if post.author == user {
                if published {
                    caps(&[format!("{verb}_published_{f}")])
                } else {
                    // Drafts, pending, private and trashed posts of one's own.
                    caps(&[format!("{verb}_{f}")])
                }
            } else {
                let mut needed = vec![format!("{verb}_others_{f}")];
                if published {
                    needed.push(format!("{verb}_published_{f}"));
                } else if post.status == "private" {
                    needed.push(format!("{verb}_private_{f}"));
                }
                caps(&needed)
            }
        }
        MetaCap::ReadPost(post) => {
            let f = family(post.post_type);
            match post.status {
                "publish" => caps(&["read".into()]),
                "private" if post.author == user => caps(&["read".into()]),
                "private" => caps(&[format!("read_private_{f}")]),
                // Drafts, pending, future and trash are readable by whoever may edit them.
                _ => map_meta_cap(MetaCap::EditPost(post), user),
            }
        }
        MetaCap::PublishPost(post) => caps(&[format!("publish_{}", family(post.post_type))]),
        // Editing one's own profile needs no capability beyond being signed in.
        MetaCap::EditUser(target) if target == user => Required::All(Vec::new()),
        MetaCap::EditUser(_) => caps(&["edit_users".into()]),
        // Nobody deletes or demotes themselves through these checks.
        MetaCap::DeleteUser(target) | MetaCap::RemoveUser(target) | MetaCap::PromoteUser(target) if target == user => {
            Required::Nobody
        }
        MetaCap::DeleteUser(_) => caps(&["delete_users".into()]),
        MetaCap::RemoveUser(_) => caps(&["remove_users".into()]),
        MetaCap::PromoteUser(_) => caps(&["promote_users".into()]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(author: UserId, status: &'static str, post_type: &'static str) -> PostFacts<'static> {
        PostFacts {
            author,
            status,
            post_type,
        }
    }

    fn all(names: &[&str]) -> Required {
        Required::All(names.iter().map(|s| (*s).to_owned()).collect())
    }

    #[test]
    fn editing_posts_maps_like_wordpress() {
        let (me, other) = (UserId::new(), UserId::new());
        let cases = [
            (post(me, "draft", "post"), me, all(&["edit_posts"])),
            (post(me, "publish", "post"), me, all(&["edit_published_posts"])),
            (post(me, "future", "post"), me, all(&["edit_published_posts"])),
            (post(other, "draft", "post"), me, all(&["edit_others_posts"])),
            (
                post(other, "publish", "post"),
                me,
                all(&["edit_others_posts", "edit_published_posts"]),
            ),
            (
                post(other, "private", "post"),
                me,
                all(&["edit_others_posts", "edit_private_posts"]),
            ),
            (
                post(other, "publish", "page"),
                me,
                all(&["edit_others_pages", "edit_published_pages"]),
            ),
        ];
        for (facts, user, expected) in cases {
            assert_eq!(map_meta_cap(MetaCap::EditPost(facts), user), expected, "{facts:?}");
        }
        assert_eq!(
            map_meta_cap(MetaCap::DeletePost(post(other, "publish", "post")), me),
            all(&["delete_others_posts", "delete_published_posts"])
        );
    }

    #[test]
    fn reading_private_posts_needs_read_private_unless_it_is_yours() {
        let (me, other) = (UserId::new(), UserId::new());
        assert_eq!(
            map_meta_cap(MetaCap::ReadPost(post(other, "publish", "post")), me),
            all(&["read"])
        );
        assert_eq!(
            map_meta_cap(MetaCap::ReadPost(post(me, "private", "post")), me),
            all(&["read"])
        );
        assert_eq!(
            map_meta_cap(MetaCap::ReadPost(post(other, "private", "page")), me),
            all(&["read_private_pages"])
        );
        assert_eq!(
            map_meta_cap(MetaCap::ReadPost(post(other, "draft", "post")), me),
            all(&["edit_others_posts"])
        );
    }

    #[test]
    fn users_edit_themselves_but_never_delete_or_promote_themselves() {
        let (me, other) = (UserId::new(), UserId::new());
        assert_eq!(map_meta_cap(MetaCap::EditUser(me), me), Required::All(vec![]));
        assert_eq!(map_meta_cap(MetaCap::EditUser(other), me), all(&["edit_users"]));
        assert_eq!(map_meta_cap(MetaCap::PromoteUser(me), me), Required::Nobody);
        assert_eq!(map_meta_cap(MetaCap::DeleteUser(other), me), all(&["delete_users"]));
    }
}
