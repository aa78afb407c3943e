// "Your courses" on the customer's account page.
import type { PortalSection } from '../../http/customer.js';
import type { LearningService } from './service.js';
import { CourseList } from '../../../web/public/learning/pages.js';

export const coursesSection: PortalSection<{ learning: LearningService }> = {
  id: 'courses',
  title: 'Your courses',
  order: 20,
  async render(app, contactId) {
    const courses = await app.learning.student.myCourses(contactId);
    return courses.length ? <CourseList courses={courses} /> : null;
  },
};
