/**
 * Common Indonesian given names (Javanese, Sundanese, Betawi, Bugis-Makassar and Islamic names
 * used across the seven study regencies). Synthetic households combine them at random; no real
 * person is represented.
 */
export const MALE_NAMES = [
  'Agus', 'Ahmad', 'Andi', 'Ari', 'Bambang', 'Budi', 'Dedi', 'Dimas', 'Eko', 'Fajar', 'Hadi', 'Hendra',
  'Imam', 'Iwan', 'Joko', 'Kurniawan', 'Lukman', 'Muhammad', 'Mulyadi', 'Nur', 'Priyo', 'Rahmat', 'Rizky',
  'Rudi', 'Sahrul', 'Slamet', 'Sugeng', 'Suharto', 'Supriyadi', 'Sutrisno', 'Taufik', 'Udin', 'Wahyu',
  'Yusuf', 'Zainal', 'Asep', 'Ujang', 'Dadang', 'Cecep', 'Daeng', 'Baso', 'Syamsul', 'Arifin', 'Darto',
  'Kasim', 'Rasyid', 'Sholeh', 'Tarno', 'Warsito', 'Yanto',
] as const;

export const FEMALE_NAMES = [
  'Aisyah', 'Ani', 'Dewi', 'Endang', 'Fitri', 'Hartini', 'Indah', 'Juminah', 'Kartini', 'Lestari', 'Maryam',
  'Nur', 'Nurhayati', 'Puji', 'Rina', 'Rukmini', 'Sari', 'Siti', 'Sri', 'Sumarni', 'Suminah', 'Tuti', 'Umi',
  'Wati', 'Yanti', 'Yuliana', 'Ayu', 'Cucu', 'Euis', 'Imas', 'Neneng', 'Ratna', 'Rosdiana', 'Hasnah',
  'Hajrah', 'Sitti', 'Murni', 'Darsih', 'Karsih', 'Tarsih', 'Warsini', 'Yati', 'Zubaidah', 'Halimah',
  'Khadijah', 'Mulyani', 'Ningsih', 'Partini', 'Suparmi', 'Wulan',
] as const;

export const FAMILY_NAMES = [
  'Saputra', 'Wijaya', 'Santoso', 'Hidayat', 'Setiawan', 'Pratama', 'Kurniawan', 'Nugroho', 'Rahman',
  'Hasan', 'Syahputra', 'Susanto', 'Maulana', 'Firmansyah', 'Ramadhan', 'Gunawan', 'Hakim', 'Salim',
  'Sulaiman', 'Munandar', '', '', '', '', '', '',
] as const;
