// The content module's public API: the blog (posts, publishing per role policy, SEO pages).
export { ContentService, PUBLISH_APPROVAL_KIND, normalisePath, slugify, type ContentApprovals, type ContentDeps, type EditorialItem, type PostView, type PublishRequest, type Redirect, type RevisionView } from './service.js';
export { BlogPages, withBlogFormToken, type BlogPagesDeps, type CachedDoc, type PublicPost } from './blog-pages.js';
export { contentPublishKind } from './approval.js';
export { blogSettingsSchema, needsApproval, policyRoles, rolePolicySchema, type BlogSettings, type PolicyRole, type RolePolicy } from './policy.js';
export { postBlockTypes, postContentSchema, readingMinutes, seoChecklist, type PostBlock, type PostContent, type SeoCheck } from './post-content.js';
export { contentEvents } from './events.js';
export { contentJobs, PUBLISH_DUE_JOB, type ContentJobDeps } from './jobs.js';
export { topPosts, type PostAnalytics, type TopPost } from './measures.js';
export { BlogNewsletter } from './newsletter.js';
export { loadSvgRasteriser, type SvgRasteriser } from './social-card-png.js';
