-- CLV columns of the profile from scores computed by the caller (profile_clv_frame).
CREATE OR REPLACE TEMP TABLE profile_clv AS
SELECT *
FROM profile_clv_frame
