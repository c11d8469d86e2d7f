/** Owners and admins see the administration pages. */
export const isAdmin = (role: string | undefined) => role === 'OWNER' || role === 'ADMIN';
