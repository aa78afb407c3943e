// The blog's API (src/modules/content/routes.ts), typed from its contract.
import { apiGet, apiSend, apiUploadForm, type QueryOf } from '../../api.js';
import type { Authors, CalendarList, Diff, diffQuery, NewsletterDraft, PostList, postListQuery, PostPreview, RedirectList, RevisionList, TopPosts, PostCreateInput, PostSaveInput, RedirectInput, CalendarInput } from '../../../../../src/modules/content/contract.js';
import type { ContactLists, Segments } from '../../../../../src/modules/audience/contract.js';
import type { BlogSettings, CalendarItem, DiffLine, Post, PostContent, PostStatus, PublishAnswer, RedirectRow, Revision } from '../../../../../src/modules/content/contract.js';

export type { BlogSettings, CalendarItem, DiffLine, Post, PostContent, PostStatus, PublishAnswer, RedirectRow, Revision };
export type PostBlock = PostContent['blocks'][number];

const id = (s: string) => encodeURIComponent(s);

export const blogApi = {
  posts: (q: QueryOf<typeof postListQuery> = {}) => apiGet<PostList, typeof postListQuery>('/api/posts', q),
  post: (postId: string) => apiGet<Post>(`/api/posts/${id(postId)}`),
  create: (body: PostCreateInput) => apiSend<Post>('POST', '/api/posts', body),
  save: (postId: string, body: PostSaveInput) => apiSend<Post>('PATCH', `/api/posts/${id(postId)}`, body),
  publish: (postId: string, at?: string | null) => apiSend<PublishAnswer>('POST', `/api/posts/${id(postId)}/publish`, { at: at ?? null }),
  submit: (postId: string, at?: string | null) => apiSend<PublishAnswer>('POST', `/api/posts/${id(postId)}/submit`, { at: at ?? null }),
  withdraw: (postId: string) => apiSend<Post>('POST', `/api/posts/${id(postId)}/withdraw`),
  unpublish: (postId: string) => apiSend<Post>('POST', `/api/posts/${id(postId)}/unpublish`),
  remove: (postId: string) => apiSend('DELETE', `/api/posts/${id(postId)}`),
  revisions: (postId: string) => apiGet<RevisionList>(`/api/posts/${id(postId)}/revisions`),
  diff: (postId: string, from: number, to: number) => apiGet<Diff, typeof diffQuery>(`/api/posts/${id(postId)}/diff`, { from, to }),
  restore: (postId: string, revision: number) => apiSend<Post>('POST', `/api/posts/${id(postId)}/restore`, { revision }),
  preview: (content: unknown, slug: string) => apiSend<PostPreview>('POST', '/api/posts/preview', { content, slug }),
  newsletter: (postId: string, body: { segmentId?: string | null; listId?: string | null }) => apiSend<NewsletterDraft>('POST', `/api/posts/${id(postId)}/newsletter`, body),
  approve: (approvalId: string) => apiSend('POST', `/api/approvals/${id(approvalId)}/approve`, {}),
  refuse: (approvalId: string, note: string) => apiSend('POST', `/api/approvals/${id(approvalId)}/refuse`, { note }),
  topPosts: () => apiGet<TopPosts>('/api/blog/top-posts'),
  authors: () => apiGet<Authors>('/api/blog/authors'),
  redirects: () => apiGet<RedirectList>('/api/redirects'),
  saveRedirect: (body: RedirectInput) => apiSend<RedirectRow>('POST', '/api/redirects', body),
  removeRedirect: (redirectId: string) => apiSend('DELETE', `/api/redirects/${id(redirectId)}`),
  calendar: () => apiGet<CalendarList>('/api/blog/calendar'),
  saveCalendar: (itemId: string | null, body: CalendarInput) =>
    itemId ? apiSend<CalendarItem>('PATCH', `/api/blog/calendar/${id(itemId)}`, body) : apiSend<CalendarItem>('POST', '/api/blog/calendar', body),
  removeCalendar: (itemId: string) => apiSend('DELETE', `/api/blog/calendar/${id(itemId)}`),
  settings: () => apiGet<BlogSettings>('/api/blog/settings'),
  saveSettings: (body: Partial<BlogSettings>) => apiSend<BlogSettings>('PATCH', '/api/blog/settings', body),
  uploadImage: (file: File) => apiUploadForm<{ url: string }>('POST', '/api/site/images', file),
  segments: () => apiGet<Segments>('/api/segments'),
  lists: () => apiGet<ContactLists>('/api/lists'),
};
